import SRFormats
import SRTensor

/// Real-ESRGAN's SRVGGNetCompact with PReLU activations, SR-SPEC §1.6.
public struct SRVGGNetCompact: SuperResolutionNetwork {
  /// Hyperparameters, detected from shapes.
  public struct Config: Sendable, Equatable {
    public var inChannels = 3, outChannels = 3, numFeat = 64, numConv = 16, scale = 4
    public init(inChannels: Int = 3, outChannels: Int = 3, numFeat: Int = 64, numConv: Int = 16, scale: Int = 4) {
      self.inChannels = inChannels; self.outChannels = outChannels
      self.numFeat = numFeat; self.numConv = numConv; self.scale = scale
    }
  }

  public let config: Config
  let convs: [Conv2d]       // numConv + 2
  let slopes: [Tensor]      // numConv + 1

  /// Reads the network from `body.{2k}` convs and `body.{2k+1}.weight` PReLU slopes.
  public init(config c: Config, weights: StateDict) throws {
    var r = ParameterReader(weights)
    config = c
    var convs = [try r.conv("body.0", out: c.numFeat, in: c.inChannels)]
    var slopes = [try r.tensor("body.1.weight", shape: [c.numFeat])]
    for k in 1...c.numConv {
      convs.append(try r.conv("body.\(2 * k)", out: c.numFeat, in: c.numFeat))
      slopes.append(try r.tensor("body.\(2 * k + 1).weight", shape: [c.numFeat]))
    }
    let last = 2 * (c.numConv + 1)
    convs.append(try r.conv("body.\(last)", out: c.outChannels * c.scale * c.scale, in: c.numFeat))
    try r.finish()
    self.convs = convs
    self.slopes = slopes
  }

  public var scale: Int { config.scale }
  public var inputMultiple: Int { 1 }
  public var architecture: ArchitectureDescription {
    ArchitectureDescription(name: "SRVGGNetCompact", hyperparameters: [
      ("num_in_ch", "\(config.inChannels)"), ("num_out_ch", "\(config.outChannels)"),
      ("num_feat", "\(config.numFeat)"), ("num_conv", "\(config.numConv)"),
      ("upscale", "\(config.scale)"), ("act_type", "prelu"),
    ])
  }
  public var parameterCount: Int { convs.reduce(0) { $0 + $1.parameterCount } + slopes.reduce(0) { $0 + $1.count } }
  public var bytesPerInputPixel: Int { 4 * (3 * config.numFeat + 2 * config.outChannels * config.scale * config.scale) }

  public func forward(_ x: Tensor, progress: ((Double) -> Void)?) -> Tensor {
    var h = x
    for (k, conv) in convs.enumerated() {
      h = conv(h)
      if k < slopes.count { h = Ops.prelu(h, slopes: slopes[k]) }
      progress?(Double(k + 1) / Double(convs.count))
    }
    var out = Ops.pixelShuffle(h, factor: config.scale)
    out.add(Ops.upsampleNearest(x, factor: config.scale), scale: 1)
    return out
  }

  public func stateDict() -> StateDict {
    var d = StateDict()
    for (k, conv) in convs.enumerated() {
      d.put("body.\(2 * k)", conv)
      if k < slopes.count { d["body.\(2 * k + 1).weight"] = slopes[k] }
    }
    return d
  }
}
