import SRFormats
import SRTensor

/// The 2018 BasicSR SRResNet (`model.N` keys), with or without BatchNorm: the generator of the
/// ESRGAN BN ablation (SR-SPEC §1.5). ReLU everywhere, pixel-shuffle upsampling, long skip.
public struct SRResNet: SuperResolutionNetwork {
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

  struct Block: Sendable { var conv1: Conv2d; var bn1: BatchNorm2d?; var conv2: Conv2d; var bn2: BatchNorm2d? }

  public let config: Config
  let convFirst: Conv2d
  let blocks: [Block]
  let convLR: Conv2d
  let bnLR: BatchNorm2d?
  let upconvs: [Conv2d]
  let convHR, convLast: Conv2d

  /// Reads the network from `model.N` keys (SR-SPEC §1.5 table).
  public init(config c: Config, weights: StateDict) throws {
    guard [2, 3, 4].contains(c.scale) else { throw ModelLoadError.unsupported("SRResNet scale \(c.scale)") }
    var r = ParameterReader(weights)
    config = c
    let nf = c.numFeat
    convFirst = try r.conv("model.0", out: nf, in: c.inChannels)
    blocks = try (0..<c.numBlock).map { i in
      let p = "model.1.sub.\(i).res."
      if c.batchNorm {
        return Block(conv1: try r.conv(p + "0", out: nf, in: nf), bn1: try r.batchNorm(p + "1", channels: nf),
                     conv2: try r.conv(p + "3", out: nf, in: nf), bn2: try r.batchNorm(p + "4", channels: nf))
      }
      return Block(conv1: try r.conv(p + "0", out: nf, in: nf), bn1: nil,
                   conv2: try r.conv(p + "2", out: nf, in: nf), bn2: nil)
    }
    convLR = try r.conv("model.1.sub.\(c.numBlock)", out: nf, in: nf)
    bnLR = c.batchNorm ? try r.batchNorm("model.1.sub.\(c.numBlock + 1)", channels: nf) : nil
    let (stages, factor) = c.upsampling
    upconvs = try (0..<stages).map { s in try r.conv("model.\(2 + 3 * s)", out: nf * factor * factor, in: nf) }
    convHR = try r.conv("model.\(2 + 3 * stages)", out: nf, in: nf)
    convLast = try r.conv("model.\(4 + 3 * stages)", out: c.outChannels, in: nf)
    try r.finish()
    inference = Inference(blocks: blocks, convLR: convLR, bnLR: bnLR)
  }

  /// The body convolutions with each BatchNorm folded in (what `forward` runs).
  struct Inference: Sendable {
    let blocks: [(conv1: Conv2d, conv2: Conv2d)]
    let convLR: Conv2d

    init(blocks: [Block], convLR: Conv2d, bnLR: BatchNorm2d?) {
      func fold(_ conv: Conv2d, _ bn: BatchNorm2d?) -> Conv2d { bn.map { conv.foldingBatchNorm($0) } ?? conv }
      self.blocks = blocks.map { (fold($0.conv1, $0.bn1), fold($0.conv2, $0.bn2)) }
      self.convLR = fold(convLR, bnLR)
    }
  }
  let inference: Inference

  public var scale: Int { config.scale }
  public var inputMultiple: Int { 1 }
  public var architecture: ArchitectureDescription {
    ArchitectureDescription(name: config.batchNorm ? "SRResNet-BN" : "SRResNet", hyperparameters: [
      ("in_nc", "\(config.inChannels)"), ("out_nc", "\(config.outChannels)"), ("nf", "\(config.numFeat)"),
      ("nb", "\(config.numBlock)"), ("upscale", "\(config.scale)"),
      ("norm_type", config.batchNorm ? "batch" : "none"),
    ])
  }
  public var parameterCount: Int {
    let convs = [convFirst, convLR, convHR, convLast] + upconvs + blocks.flatMap { [$0.conv1, $0.conv2] }
    let bns = ([bnLR] + blocks.flatMap { [$0.bn1, $0.bn2] }).compactMap { $0 }
    return convs.reduce(0) { $0 + $1.parameterCount } + bns.reduce(0) { $0 + $1.parameterCount }
  }
  public var bytesPerInputPixel: Int { 4 * (3 * config.numFeat * config.scale * config.scale + 3 * config.numFeat) }

  public func forward(_ x: Tensor, progress: ((Double) -> Void)?) -> Tensor {
    // BatchNorm folded into the convolutions; ReLU and residual adds fused into them. ReLU
    // commutes with the pixel shuffle, so the upsampling convs apply it themselves.
    let feat = convFirst(x)
    var h = feat
    for (i, b) in inference.blocks.enumerated() {
      h = b.conv2(b.conv1(h, .relu), adding: h)
      progress?(Double(i + 1) / Double(blocks.count + 1))
    }
    h = inference.convLR(h, adding: feat)
    for up in upconvs { h = up(h, .relu, pixelShuffle: config.upsampling.factor) }
    let out = convLast(convHR(h, .relu))
    progress?(1)
    return out
  }

  public func stateDict() -> StateDict {
    var d = StateDict()
    d.put("model.0", convFirst)
    for (i, b) in blocks.enumerated() {
      let p = "model.1.sub.\(i).res."
      d.put(p + "0", b.conv1)
      if let bn1 = b.bn1, let bn2 = b.bn2 {
        d.put(p + "1", bn1); d.put(p + "3", b.conv2); d.put(p + "4", bn2)
      } else {
        d.put(p + "2", b.conv2)
      }
    }
    d.put("model.1.sub.\(config.numBlock)", convLR)
    if let bn = bnLR { d.put("model.1.sub.\(config.numBlock + 1)", bn) }
    for (s, up) in upconvs.enumerated() { d.put("model.\(2 + 3 * s)", up) }
    d.put("model.\(2 + 3 * upconvs.count)", convHR)
    d.put("model.\(4 + 3 * upconvs.count)", convLast)
    return d
  }
}
