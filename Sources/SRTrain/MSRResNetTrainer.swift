import SRTensor

/// Trainable BasicSR MSRResNet (SR-SPEC §1.4): no BN, no trunk skip, LeakyReLU(0.1) outside the
/// blocks, plus the bilinear upsampling of the input. Keyed like `SRModels.MSRResNet`.
public final class TrainableMSRResNet: TrainableNetwork, @unchecked Sendable {
  static let slope: Float = 0.1
  public let scale, numFeat, numBlock: Int
  let first: ConvUnit
  let blocks: [(ConvUnit, ConvUnit)]
  let ups: [ConvUnit]
  let factor: Int
  let hr, last: ConvUnit
  private var upOutputs: [FeatureBatch] = []

  /// Builds the graph (weights zero until initialised by the trainer or `load`).
  public init(numFeat nf: Int, numBlock nb: Int, scale: Int, inChannels: Int = 3) throws(TrainError) {
    guard [2, 3, 4].contains(scale) else { throw .recipe("msrresnet scale must be 2, 3 or 4, got \(scale)") }
    guard nf > 0, nb >= 0 else { throw .recipe("msrresnet needs num_feat > 0") }
    self.scale = scale; numFeat = nf; numBlock = nb
    let f = scale == 4 ? 2 : scale
    factor = f
    first = ConvUnit("conv_first", in: inChannels, out: nf, slope: Self.slope)
    blocks = (0..<nb).map { (ConvUnit("body.\($0).conv1", in: nf, out: nf, slope: 0),
                             ConvUnit("body.\($0).conv2", in: nf, out: nf, slope: nil)) }
    ups = (1...(scale == 4 ? 2 : 1)).map { ConvUnit("upconv\($0)", in: nf, out: nf * f * f, slope: nil) }
    hr = ConvUnit("conv_hr", in: nf, out: nf, slope: Self.slope)
    last = ConvUnit("conv_last", in: nf, out: inChannels, slope: nil)
  }

  public var tensors: [Parameter] {
    first.conv.parameters + blocks.flatMap { $0.0.conv.parameters + $0.1.conv.parameters }
      + ups.flatMap(\.conv.parameters) + hr.conv.parameters + last.conv.parameters
  }

  public var macsPerInputPixel: Int {
    var lr = first.conv.macsPerPixel + 2 * numBlock * numFeat * numFeat * 9, area = 1
    for u in ups { lr += area * u.conv.macsPerPixel; area *= factor * factor }
    return lr + area * (hr.conv.macsPerPixel + last.conv.macsPerPixel)
  }

  public var metadata: [String: String] {
    ["architecture": "MSRResNet", "num_feat": "\(numFeat)", "num_block": "\(numBlock)", "scale": "\(scale)"]
  }

  public func forward(_ x: FeatureBatch, training: Bool) -> FeatureBatch {
    var h = first.forward(x, training: training)
    for (c1, c2) in blocks { h = Kernels.scaledAdd(h, c2.forward(c1.forward(h, training: training), training: training)) }
    upOutputs = []
    for u in ups {
      h = Kernels.leaky(Kernels.pixelShuffle(u.forward(h, training: training), factor: factor), slope: Self.slope)
      if training { upOutputs.append(h) }
    }
    var out = last.forward(hr.forward(h, training: training), training: training)
    for n in 0..<x.n {
      let base = Ops.upsampleBilinear(x.sample(n), factor: scale)
      for i in 0..<out.sampleSize { out.data[n * out.sampleSize + i] += base.data[i] }
    }
    return out
  }

  public func backward(_ dy: FeatureBatch) {
    var d = hr.backward(last.backward(dy)!)!
    for (u, y) in zip(ups, upOutputs).reversed() {
      d = u.backward(Kernels.pixelShuffleBackward(Kernels.leakyBackward(output: y, dy: d, slope: Self.slope), factor: factor))!
    }
    for (c1, c2) in blocks.reversed() { d = Kernels.scaledAdd(d, c1.backward(c2.backward(d)!)!) }
    first.backward(d, needInput: false)
  }
}
