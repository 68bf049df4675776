import SRFormats
import SRTensor

/// BasicSR's RRDBNet (ESRGAN generator), SR-SPEC §1.2, under BasicSR key names.
public struct RRDBNet: SuperResolutionNetwork {
  /// Hyperparameters, detected from shapes.
  public struct Config: Sendable, Equatable {
    public var inChannels = 3, outChannels = 3, scale = 4
    public var numFeat = 64, numBlock = 23, numGrow = 32
    /// Scaling of every RDB and RRDB residual: 0.2 in ESRGAN. Not visible in the weights, so it
    /// is read from checkpoint metadata (`residual_scale`, written by SRScope's trainer).
    public var residualScale: Float = 0.2
    public init(inChannels: Int = 3, outChannels: Int = 3, scale: Int = 4,
                numFeat: Int = 64, numBlock: Int = 23, numGrow: Int = 32, residualScale: Float = 0.2) {
      self.inChannels = inChannels; self.outChannels = outChannels; self.scale = scale
      self.numFeat = numFeat; self.numBlock = numBlock; self.numGrow = numGrow; self.residualScale = residualScale
    }
  }

  /// One residual dense block: conv1..conv5.
  struct DenseBlock: Sendable { var convs: [Conv2d] }

  public let config: Config
  let convFirst: Conv2d
  let blocks: [[DenseBlock]]  // [numBlock][3]
  let convBody, convUp1, convUp2, convHR, convLast: Conv2d
  /// `convUp1` and `convUp2` rewritten to read the un-upsampled map (what `forward` runs).
  let upsampling: (Conv2d, Conv2d)

  static let slope: Float = 0.2

  /// Reads the network from a BasicSR-keyed state dict, checking every shape.
  public init(config c: Config, weights: StateDict) throws {
    var r = ParameterReader(weights)
    config = c
    let unshuffle = c.scale == 4 ? 1 : (c.scale == 2 ? 4 : 16)
    convFirst = try r.conv("conv_first", out: c.numFeat, in: c.inChannels * unshuffle)
    var blocks: [[DenseBlock]] = []
    for b in 0..<c.numBlock {
      var rdbs: [DenseBlock] = []
      for k in 1...3 {
        var convs: [Conv2d] = []
        for i in 1...5 {
          let out = i == 5 ? c.numFeat : c.numGrow
          convs.append(try r.conv("body.\(b).rdb\(k).conv\(i)", out: out, in: c.numFeat + (i - 1) * c.numGrow))
        }
        rdbs.append(DenseBlock(convs: convs))
      }
      blocks.append(rdbs)
    }
    self.blocks = blocks
    convBody = try r.conv("conv_body", out: c.numFeat, in: c.numFeat)
    convUp1 = try r.conv("conv_up1", out: c.numFeat, in: c.numFeat)
    convUp2 = try r.conv("conv_up2", out: c.numFeat, in: c.numFeat)
    upsampling = (convUp1.onNearestUpsampledByTwo(), convUp2.onNearestUpsampledByTwo())
    convHR = try r.conv("conv_hr", out: c.numFeat, in: c.numFeat)
    convLast = try r.conv("conv_last", out: c.outChannels, in: c.numFeat)
    try r.finish()
  }

  public var scale: Int { config.scale }
  public var inputMultiple: Int { config.scale == 4 ? 1 : (config.scale == 2 ? 2 : 4) }

  public var architecture: ArchitectureDescription {
    ArchitectureDescription(name: "RRDBNet", hyperparameters: [
      ("num_in_ch", "\(config.inChannels)"), ("num_out_ch", "\(config.outChannels)"),
      ("scale", "\(config.scale)"), ("num_feat", "\(config.numFeat)"),
      ("num_block", "\(config.numBlock)"), ("num_grow_ch", "\(config.numGrow)"),
    ] + (config.residualScale == 0.2 ? [] : [("residual_scale", "\(config.residualScale)")]))
  }

  public var parameterCount: Int {
    let trunk = blocks.joined().reduce(0) { $0 + $1.convs.reduce(0) { $0 + $1.parameterCount } }
    return trunk + [convFirst, convBody, convUp1, convUp2, convHR, convLast].reduce(0) { $0 + $1.parameterCount }
  }

  public var bytesPerInputPixel: Int {
    // Peak is in HR space (scale^2 output pixels per input pixel): about three live
    // num_feat-channel maps there. The LR trunk holds the dense block's Winograd stack
    // (36/16 floats per channel and pixel, nf + 4 gc channels) and three nf-channel maps.
    let s2 = config.scale * config.scale
    let stack = 9 * (config.numFeat + 4 * config.numGrow) / 4
    return 4 * (3 * config.numFeat * s2 + stack + 3 * config.numFeat)
  }

  /// `x + s * conv5([x, x1, x2, x3, x4])` with `xk = lrelu(convk([x, x1, ..]))`. With prepared
  /// 3x3 kernels, the growing concatenation lives only as a `WinogradFeatureStack`: each map is
  /// transformed once and no concatenated copy is made.
  /// `stack` is scratch space reused by every block of one forward pass (emptied here).
  func denseBlock(_ x: Tensor, _ block: DenseBlock, stack: WinogradFeatureStack) -> Tensor {
    let kernels = block.convs.compactMap(\.preparedWinogradKernel)
    guard kernels.count == block.convs.count else { return denseBlockByConcat(x, block) }
    stack.removeAll()
    stack.append(x)
    for kernel in kernels.prefix(4) {
      stack.append(stack.convolve(kernel, activation: .leakyReLU(Self.slope)))
    }
    return stack.convolve(kernels[4], residual: x, residualScale: config.residualScale)
  }

  /// The plain dense block (weights replaced after loading, or non-3x3 kernels).
  func denseBlockByConcat(_ x: Tensor, _ block: DenseBlock) -> Tensor {
    var features = x
    for i in 0..<4 {
      let xi = block.convs[i](features, .leakyReLU(Self.slope))
      features = Ops.concat([features, xi])
    }
    let x5 = block.convs[4](features)
    return Ops.scaledAdd(x5, x, alpha: config.residualScale, beta: 1)
  }

  public func forward(_ x: Tensor, progress: ((Double) -> Void)?) -> Tensor {
    let input = inputMultiple == 1 ? x : Ops.pixelUnshuffle(x, factor: inputMultiple)
    let feat = convFirst(input)
    var body = feat
    let stack = WinogradFeatureStack(height: feat.height, width: feat.width,
                                     capacity: config.numFeat + 4 * config.numGrow)
    for (b, rrdb) in blocks.enumerated() {
      var out = body
      for rdb in rrdb { out = denseBlock(out, rdb, stack: stack) }
      body = Ops.scaledAdd(out, body, alpha: config.residualScale, beta: 1)
      progress?(Double(b + 1) / Double(blocks.count + 1))
    }
    var h = convBody(body, adding: feat)
    // conv(upsample x2(h)) as PixelShuffle(2) of a 4x-output conv of h (`onNearestUpsampledByTwo`).
    h = upsampling.0(h, .leakyReLU(Self.slope), pixelShuffle: 2)
    h = upsampling.1(h, .leakyReLU(Self.slope), pixelShuffle: 2)
    let out = convLast(convHR(h, .leakyReLU(Self.slope)))
    progress?(1)
    return out
  }

  public func stateDict() -> StateDict {
    var d = StateDict()
    d.put("conv_first", convFirst)
    for (b, rrdb) in blocks.enumerated() {
      for (k, rdb) in rrdb.enumerated() {
        for (i, conv) in rdb.convs.enumerated() { d.put("body.\(b).rdb\(k + 1).conv\(i + 1)", conv) }
      }
    }
    d.put("conv_body", convBody); d.put("conv_up1", convUp1); d.put("conv_up2", convUp2)
    d.put("conv_hr", convHR); d.put("conv_last", convLast)
    return d
  }
}
