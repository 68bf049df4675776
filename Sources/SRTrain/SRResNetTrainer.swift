import SRTensor

/// Trainable 2018 BasicSR SRResNet (SR-SPEC §1.5), with or without training-mode BatchNorm,
/// keyed exactly like `SRModels.SRResNet` (`model.N`).
public final class TrainableSRResNet: TrainableNetwork, @unchecked Sendable {
  final class Block {
    let conv1, conv2: Conv
    let bn1, bn2: BatchNorm?
    var input, hidden: FeatureBatch?  // block input; ReLU output

    init(_ p: String, nf: Int, batchNorm: Bool) {
      conv1 = Conv(p + "0", in: nf, out: nf)
      bn1 = batchNorm ? BatchNorm(p + "1", channels: nf) : nil
      conv2 = Conv(p + (batchNorm ? "3" : "2"), in: nf, out: nf)
      bn2 = batchNorm ? BatchNorm(p + "4", channels: nf) : nil
    }

    var tensors: [Parameter] {
      conv1.parameters + (bn1.map { $0.parameters + $0.buffers } ?? [])
        + conv2.parameters + (bn2.map { $0.parameters + $0.buffers } ?? [])
    }
  }

  public let scale, numFeat, numBlock: Int
  public let batchNorm: Bool
  let first: ConvUnit
  let blocks: [Block]
  let convLR: Conv
  let bnLR: BatchNorm?
  let ups: [ConvUnit]
  let factor: Int
  let hr, last: ConvUnit
  private var feat, lrInput: FeatureBatch?
  private var upOutputs: [FeatureBatch] = []

  /// Builds the graph (weights zero until initialised by the trainer or `load`).
  public init(numFeat nf: Int, numBlock nb: Int, scale: Int, batchNorm: Bool, inChannels: Int = 3) throws(TrainError) {
    guard [2, 3, 4].contains(scale) else { throw .recipe("srresnet scale must be 2, 3 or 4, got \(scale)") }
    guard nf > 0, nb >= 0 else { throw .recipe("srresnet needs num_feat > 0 and num_block >= 0") }
    self.scale = scale; numFeat = nf; numBlock = nb; self.batchNorm = batchNorm
    first = ConvUnit("model.0", in: inChannels, out: nf, slope: nil)
    blocks = (0..<nb).map { Block("model.1.sub.\($0).res.", nf: nf, batchNorm: batchNorm) }
    convLR = Conv("model.1.sub.\(nb)", in: nf, out: nf)
    bnLR = batchNorm ? BatchNorm("model.1.sub.\(nb + 1)", channels: nf) : nil
    let stages = scale == 4 ? 2 : 1
    let f = scale == 3 ? 3 : 2
    factor = f
    ups = (0..<stages).map { ConvUnit("model.\(2 + 3 * $0)", in: nf, out: nf * f * f, slope: nil) }
    hr = ConvUnit("model.\(2 + 3 * stages)", in: nf, out: nf, slope: 0)
    last = ConvUnit("model.\(4 + 3 * stages)", in: nf, out: inChannels, slope: nil)
  }

  public var tensors: [Parameter] {
    first.conv.parameters + blocks.flatMap(\.tensors) + convLR.parameters
      + (bnLR.map { $0.parameters + $0.buffers } ?? []) + ups.flatMap(\.conv.parameters)
      + hr.conv.parameters + last.conv.parameters
  }

  public var macsPerInputPixel: Int {
    var lr = first.conv.macsPerPixel + (2 * numBlock + 1) * numFeat * numFeat * 9
    var area = 1
    for u in ups { lr += area * u.conv.macsPerPixel; area *= factor * factor }
    return lr + area * (hr.conv.macsPerPixel + last.conv.macsPerPixel)
  }

  public var metadata: [String: String] {
    ["architecture": batchNorm ? "SRResNet-BN" : "SRResNet", "num_feat": "\(numFeat)",
     "num_block": "\(numBlock)", "scale": "\(scale)", "batch_norm": "\(batchNorm)"]
  }

  public func forward(_ x: FeatureBatch, training: Bool) -> FeatureBatch {
    let f = first.forward(x, training: training)
    var h = f
    for b in blocks {
      var a = b.conv1.forward(h)
      if let bn = b.bn1 { a = bn.forward(a, training: training) }
      let r = Kernels.leaky(a, slope: 0)
      var c = b.conv2.forward(r)
      if let bn = b.bn2 { c = bn.forward(c, training: training) }
      if training { b.input = h; b.hidden = r }
      h = Kernels.scaledAdd(h, c)
    }
    if training { lrInput = h; feat = f }
    var t = convLR.forward(h)
    if let bn = bnLR { t = bn.forward(t, training: training) }
    h = Kernels.scaledAdd(f, t)
    upOutputs = []
    for u in ups {
      h = Kernels.leaky(Kernels.pixelShuffle(u.forward(h, training: training), factor: factor), slope: 0)
      if training { upOutputs.append(h) }
    }
    return last.forward(hr.forward(h, training: training), training: training)
  }

  public func backward(_ dy: FeatureBatch) {
    guard let lrIn = lrInput else { preconditionFailure("backward before a training forward") }
    var d = hr.backward(last.backward(dy)!)!
    for (u, y) in zip(ups, upOutputs).reversed() {
      d = u.backward(Kernels.pixelShuffleBackward(Kernels.leakyBackward(output: y, dy: d, slope: 0), factor: factor))!
    }
    let dFeatSkip = d
    var dt = d
    if let bn = bnLR { dt = bn.backward(dt) }
    var dh: FeatureBatch? = lrIn.zerosLike()
    convLR.backward(input: lrIn, dy: dt, dx: &dh)
    var g = dh!
    for b in blocks.reversed() {
      var dc = g
      if let bn = b.bn2 { dc = bn.backward(dc) }
      var dr: FeatureBatch? = b.hidden!.zerosLike()
      b.conv2.backward(input: b.hidden!, dy: dc, dx: &dr)
      var da = Kernels.leakyBackward(output: b.hidden!, dy: dr!, slope: 0)
      if let bn = b.bn1 { da = bn.backward(da) }
      var dIn: FeatureBatch? = g
      b.conv1.backward(input: b.input!, dy: da, dx: &dIn)  // accumulates onto the skip gradient
      g = dIn!
    }
    first.backward(Kernels.scaledAdd(g, dFeatSkip), needInput: false)
  }
}
