import SRFormats
import SRTensor

/// The 2018 BasicSR SRResNet (`model.N` keys), with or without BatchNorm: the generator of the
/// ESRGAN BN ablation (SR-SPEC §1.5). ReLU everywhere, pixel-shuffle upsampling, long skip.
public final class SRResNet: LayeredNetwork, @unchecked Sendable {
  /// Hyperparameters, detected from shapes and from the presence of BN keys.
  public struct Config: Sendable, Equatable {
    public var inChannels = 3, outChannels = 3, numFeat = 64, numBlock = 16, scale = 4
    public var batchNorm = true
    public init(inChannels: Int = 3, outChannels: Int = 3, numFeat: Int = 64, numBlock: Int = 16,
                scale: Int = 4, batchNorm: Bool = true) {
      self.inChannels = inChannels; self.outChannels = outChannels; self.numFeat = numFeat
      self.numBlock = numBlock; self.scale = scale; self.batchNorm = batchNorm
    }
    /// Number of pixel-shuffle stages and their factor.
    var upsampling: (stages: Int, factor: Int) { scale == 3 ? (1, 3) : (scale == 4 ? 2 : 1, 2) }
  }

  struct Block { let conv1: ConvLayer; let bn1: BatchNormLayer?; let conv2: ConvLayer; let bn2: BatchNormLayer? }

  public let config: Config
  let convFirst: ConvLayer
  let blocks: [Block]
  let convLR: ConvLayer
  let bnLR: BatchNormLayer?
  let upconvs: [ConvLayer]
  let convHR, convLast: ConvLayer

  /// The network with zero weights (BatchNorm: γ 1, β 0, mean 0, variance 1), `model.N` keys
  /// (SR-SPEC §1.5 table).
  public init(config c: Config) throws {
    guard [2, 3, 4].contains(c.scale) else { throw ModelLoadError.unsupported("SRResNet scale \(c.scale)") }
    config = c
    let nf = c.numFeat
    convFirst = ConvLayer("model.0", in: c.inChannels, out: nf)
    blocks = (0..<c.numBlock).map { i in
      let p = "model.1.sub.\(i).res."
      return c.batchNorm
        ? Block(conv1: ConvLayer(p + "0", in: nf, out: nf), bn1: BatchNormLayer(p + "1", channels: nf),
                conv2: ConvLayer(p + "3", in: nf, out: nf), bn2: BatchNormLayer(p + "4", channels: nf))
        : Block(conv1: ConvLayer(p + "0", in: nf, out: nf), bn1: nil, conv2: ConvLayer(p + "2", in: nf, out: nf), bn2: nil)
    }
    convLR = ConvLayer("model.1.sub.\(c.numBlock)", in: nf, out: nf)
    bnLR = c.batchNorm ? BatchNormLayer("model.1.sub.\(c.numBlock + 1)", channels: nf) : nil
    let (stages, factor) = c.upsampling
    upconvs = (0..<stages).map { s in ConvLayer("model.\(2 + 3 * s)", in: nf, out: nf * factor * factor) }
    convHR = ConvLayer("model.\(2 + 3 * stages)", in: nf, out: nf)
    convLast = ConvLayer("model.\(4 + 3 * stages)", in: nf, out: c.outChannels)
  }

  /// Reads the network from `model.N` keys, checking every shape.
  public convenience init(config c: Config, weights: StateDict) throws {
    try self.init(config: c)
    try load(weights)
  }

  public var tensors: [Parameter] {
    func bn(_ b: BatchNormLayer?) -> [Parameter] { b?.tensors ?? [] }
    return convFirst.parameters
      + blocks.flatMap { $0.conv1.parameters + bn($0.bn1) + $0.conv2.parameters + bn($0.bn2) }
      + convLR.parameters + bn(bnLR) + upconvs.flatMap(\.parameters) + convHR.parameters + convLast.parameters
  }

  public var scale: Int { config.scale }
  public var inputMultiple: Int { 1 }
  public var architecture: ArchitectureDescription {
    ArchitectureDescription(name: config.batchNorm ? "SRResNet-BN" : "SRResNet", hyperparameters: [
      ("in_nc", "\(config.inChannels)"), ("out_nc", "\(config.outChannels)"), ("nf", "\(config.numFeat)"),
      ("nb", "\(config.numBlock)"), ("upscale", "\(config.scale)"),
      ("norm_type", config.batchNorm ? "batch" : "none"),
    ])
  }
  public var bytesPerInputPixel: Int { 4 * (3 * config.numFeat * config.scale * config.scale + 3 * config.numFeat) }

  /// Inference folds each BatchNorm into its convolution and fuses ReLU and the residual adds;
  /// ReLU commutes with the pixel shuffle, so the upsampling convs apply it themselves.
  public func graph<L: LayerOps>(_ ops: L, _ x: L.Value, progress: ((Double) -> Void)?) -> L.Value {
    let feat = ops.conv(convFirst, x)
    var h = feat
    for (i, b) in blocks.enumerated() {
      let r = ops.conv(b.conv1, h, batchNorm: b.bn1, activation: .relu, pixelShuffle: 1)
      h = ops.conv(b.conv2, r, batchNorm: b.bn2, adding: h, scale: 1)
      progress?(Double(i + 1) / Double(blocks.count + 1))
    }
    h = ops.conv(convLR, h, batchNorm: bnLR, adding: feat, scale: 1)
    for up in upconvs { h = ops.conv(up, h, batchNorm: nil, activation: .relu, pixelShuffle: config.upsampling.factor) }
    let out = ops.conv(convLast, ops.conv(convHR, h, .relu))
    progress?(1)
    return out
  }
}
