import SRFormats
import SRTensor

/// BasicSR's MSRResNet (SRResNet without BN, bilinear base path), SR-SPEC §1.4.
public final class MSRResNet: LayeredNetwork, @unchecked Sendable {
  /// Hyperparameters, detected from shapes.
  public struct Config: Sendable, Equatable {
    public var inChannels = 3, outChannels = 3, numFeat = 64, numBlock = 16, scale = 4
    public init(inChannels: Int = 3, outChannels: Int = 3, numFeat: Int = 64, numBlock: Int = 16, scale: Int = 4) {
      self.inChannels = inChannels; self.outChannels = outChannels
      self.numFeat = numFeat; self.numBlock = numBlock; self.scale = scale
    }
  }

  public let config: Config
  let convFirst: ConvLayer
  let body: [(ConvLayer, ConvLayer)]
  let upconvs: [ConvLayer]
  let convHR, convLast: ConvLayer
  static let slope: Float = 0.1

  /// The network with zero weights, BasicSR keys.
  public init(config c: Config) throws {
    guard [2, 3, 4].contains(c.scale) else { throw ModelLoadError.unsupported("MSRResNet scale \(c.scale)") }
    config = c
    convFirst = ConvLayer("conv_first", in: c.inChannels, out: c.numFeat)
    body = (0..<c.numBlock).map { i in
      (ConvLayer("body.\(i).conv1", in: c.numFeat, out: c.numFeat), ConvLayer("body.\(i).conv2", in: c.numFeat, out: c.numFeat))
    }
    upconvs = c.scale == 4
      ? [ConvLayer("upconv1", in: c.numFeat, out: c.numFeat * 4), ConvLayer("upconv2", in: c.numFeat, out: c.numFeat * 4)]
      : [ConvLayer("upconv1", in: c.numFeat, out: c.numFeat * c.scale * c.scale)]
    convHR = ConvLayer("conv_hr", in: c.numFeat, out: c.numFeat)
    convLast = ConvLayer("conv_last", in: c.numFeat, out: c.outChannels)
  }

  /// Reads the network from a BasicSR-keyed state dict, checking every shape.
  public convenience init(config c: Config, weights: StateDict) throws {
    try self.init(config: c)
    try load(weights)
  }

  public var tensors: [Parameter] {
    convFirst.parameters + body.flatMap { $0.0.parameters + $0.1.parameters } + upconvs.flatMap(\.parameters)
      + convHR.parameters + convLast.parameters
  }

  public var scale: Int { config.scale }
  public var inputMultiple: Int { 1 }
  public var architecture: ArchitectureDescription {
    ArchitectureDescription(name: "MSRResNet", hyperparameters: [
      ("num_in_ch", "\(config.inChannels)"), ("num_out_ch", "\(config.outChannels)"),
      ("num_feat", "\(config.numFeat)"), ("num_block", "\(config.numBlock)"), ("upscale", "\(config.scale)"),
    ])
  }
  public var bytesPerInputPixel: Int { 4 * (3 * config.numFeat * config.scale * config.scale + 3 * config.numFeat) }

  public func graph<L: LayerOps>(_ ops: L, _ x: L.Value, progress: ((Double) -> Void)?) -> L.Value {
    var out = ops.conv(convFirst, x, .leakyReLU(Self.slope))
    for (i, (c1, c2)) in body.enumerated() {
      out = ops.conv(c2, ops.conv(c1, out, .relu), adding: out)
      progress?(Double(i + 1) / Double(body.count + 1))
    }
    let factor = upconvs.count == 2 ? 2 : config.scale
    for up in upconvs {
      // LeakyReLU commutes with the pixel shuffle: the conv applies it.
      out = ops.conv(up, out, batchNorm: nil, activation: .leakyReLU(Self.slope), pixelShuffle: factor)
    }
    out = ops.conv(convLast, ops.conv(convHR, out, .leakyReLU(Self.slope)))
    out = ops.addingBilinearUpsample(out, of: x, factor: config.scale)
    progress?(1)
    return out
  }
}
