import SRFormats
import SRTensor

/// BasicSR's MSRResNet (SRResNet without BN, bilinear base path), SR-SPEC §1.4.
public struct MSRResNet: SuperResolutionNetwork {
  /// Hyperparameters, detected from shapes.
  public struct Config: Sendable, Equatable {
    public var inChannels = 3, outChannels = 3, numFeat = 64, numBlock = 16, scale = 4
    public init(inChannels: Int = 3, outChannels: Int = 3, numFeat: Int = 64, numBlock: Int = 16, scale: Int = 4) {
      self.inChannels = inChannels; self.outChannels = outChannels
      self.numFeat = numFeat; self.numBlock = numBlock; self.scale = scale
    }
  }

  public let config: Config
  let convFirst: Conv2d
  let body: [(Conv2d, Conv2d)]
  let upconvs: [Conv2d]
  let convHR, convLast: Conv2d
  static let slope: Float = 0.1

  /// Reads the network from a BasicSR-keyed state dict.
  public init(config c: Config, weights: StateDict) throws {
    guard [2, 3, 4].contains(c.scale) else { throw ModelLoadError.unsupported("MSRResNet scale \(c.scale)") }
    var r = ParameterReader(weights)
    config = c
    convFirst = try r.conv("conv_first", out: c.numFeat, in: c.inChannels)
    body = try (0..<c.numBlock).map { i in
      (try r.conv("body.\(i).conv1", out: c.numFeat, in: c.numFeat),
       try r.conv("body.\(i).conv2", out: c.numFeat, in: c.numFeat))
    }
    if c.scale == 4 {
      upconvs = [try r.conv("upconv1", out: c.numFeat * 4, in: c.numFeat),
                 try r.conv("upconv2", out: c.numFeat * 4, in: c.numFeat)]
    } else {
      upconvs = [try r.conv("upconv1", out: c.numFeat * c.scale * c.scale, in: c.numFeat)]
    }
    convHR = try r.conv("conv_hr", out: c.numFeat, in: c.numFeat)
    convLast = try r.conv("conv_last", out: c.outChannels, in: c.numFeat)
    try r.finish()
  }

  public var scale: Int { config.scale }
  public var inputMultiple: Int { 1 }
  public var architecture: ArchitectureDescription {
    ArchitectureDescription(name: "MSRResNet", hyperparameters: [
      ("num_in_ch", "\(config.inChannels)"), ("num_out_ch", "\(config.outChannels)"),
      ("num_feat", "\(config.numFeat)"), ("num_block", "\(config.numBlock)"), ("upscale", "\(config.scale)"),
    ])
  }
  public var parameterCount: Int {
    ([convFirst, convHR, convLast] + upconvs + body.flatMap { [$0.0, $0.1] }).reduce(0) { $0 + $1.parameterCount }
  }
  public var bytesPerInputPixel: Int { 4 * (3 * config.numFeat * config.scale * config.scale + 3 * config.numFeat) }

  public func forward(_ x: Tensor, progress: ((Double) -> Void)?) -> Tensor {
    let feat = convFirst(x, .leakyReLU(Self.slope))
    var out = feat
    for (i, (c1, c2)) in body.enumerated() {
      out = c2(c1(out, .relu), adding: out)
      progress?(Double(i + 1) / Double(body.count + 1))
    }
    let factor = upconvs.count == 2 ? 2 : config.scale
    for up in upconvs {
      // LeakyReLU commutes with the pixel shuffle: the conv applies it.
      out = up(out, .leakyReLU(Self.slope), pixelShuffle: factor)
    }
    out = convLast(convHR(out, .leakyReLU(Self.slope)))
    out.add(Ops.upsampleBilinear(x, factor: config.scale), scale: 1)
    progress?(1)
    return out
  }

  public func stateDict() -> StateDict {
    var d = StateDict()
    d.put("conv_first", convFirst)
    for (i, (c1, c2)) in body.enumerated() { d.put("body.\(i).conv1", c1); d.put("body.\(i).conv2", c2) }
    for (i, up) in upconvs.enumerated() { d.put("upconv\(i + 1)", up) }
    d.put("conv_hr", convHR); d.put("conv_last", convLast)
    return d
  }
}
