import SRTensor

/// Trainable BasicSR RRDBNet (SR-SPEC §1.2) with a configurable residual scale (0.2 in ESRGAN),
/// keyed exactly like `SRModels.RRDBNet`. Dense concatenation is one growing channel buffer per
/// RDB: conv i reads its first `nf + i·gc` channels, so no copies are made for `cat`.
public final class TrainableRRDBNet: TrainableNetwork, @unchecked Sendable {
  static let slope: Float = 0.2

  final class DenseBlock {
    let convs: [Conv]
    let nf, gc: Int
    var buffer: FeatureBatch?

    init(_ p: String, nf: Int, gc: Int) {
      self.nf = nf; self.gc = gc
      convs = (1...5).map { Conv(p + "conv\($0)", in: nf + ($0 - 1) * gc, out: $0 == 5 ? nf : gc) }
    }

    func forward(_ x: FeatureBatch, rs: Float, training: Bool) -> FeatureBatch {
      var f = FeatureBatch(n: x.n, c: nf + 4 * gc, h: x.h, w: x.w)
      Channels.write(x, into: &f, at: 0)
      for i in 0..<4 {
        let y = Kernels.leaky(convs[i].forward(f), slope: TrainableRRDBNet.slope)
        Channels.write(y, into: &f, at: nf + i * gc)
      }
      let x5 = convs[4].forward(f)
      if training { buffer = f }
      return Kernels.scaledAdd(x5, x, alpha: rs, beta: 1)
    }

    func backward(_ dy: FeatureBatch, rs: Float) -> FeatureBatch {
      guard let f = buffer else { preconditionFailure("RDB backward before forward") }
      var df: FeatureBatch? = f.zerosLike()
      convs[4].backward(input: f, dy: Kernels.scaledAdd(dy, dy, alpha: rs, beta: 0), dx: &df)
      for i in (0..<4).reversed() {
        let at = nf + i * gc
        let y = Channels.read(f, at: at, count: gc)
        let d = Kernels.leakyBackward(output: y, dy: Channels.read(df!, at: at, count: gc), slope: TrainableRRDBNet.slope)
        convs[i].backward(input: f, dy: d, dx: &df)
      }
      return Kernels.scaledAdd(Channels.read(df!, at: 0, count: nf), dy)
    }
  }

  public let scale, numFeat, numBlock, numGrow: Int
  public let residualScale: Float
  let unshuffle: Int
  let first: ConvUnit
  let blocks: [[DenseBlock]]
  let body, up1, up2, hr, last: ConvUnit

  /// Builds the graph (weights zero until initialised by the trainer or `load`).
  public init(numFeat nf: Int, numBlock nb: Int, numGrow gc: Int, scale: Int, residualScale: Float = 0.2,
              inChannels: Int = 3) throws(TrainError) {
    guard [1, 2, 4].contains(scale) else { throw .recipe("rrdbnet scale must be 1, 2 or 4, got \(scale)") }
    guard nf > 0, gc > 0, nb >= 0 else { throw .recipe("rrdbnet needs num_feat, num_grow_ch > 0") }
    self.scale = scale; numFeat = nf; numBlock = nb; numGrow = gc; self.residualScale = residualScale
    unshuffle = scale == 4 ? 1 : (scale == 2 ? 2 : 4)
    first = ConvUnit("conv_first", in: inChannels * unshuffle * unshuffle, out: nf, slope: nil)
    blocks = (0..<nb).map { b in (1...3).map { DenseBlock("body.\(b).rdb\($0).", nf: nf, gc: gc) } }
    body = ConvUnit("conv_body", in: nf, out: nf, slope: nil)
    up1 = ConvUnit("conv_up1", in: nf, out: nf, slope: Self.slope)
    up2 = ConvUnit("conv_up2", in: nf, out: nf, slope: Self.slope)
    hr = ConvUnit("conv_hr", in: nf, out: nf, slope: Self.slope)
    last = ConvUnit("conv_last", in: nf, out: inChannels, slope: nil)
  }

  public var tensors: [Parameter] {
    first.conv.parameters + blocks.joined().flatMap { $0.convs.flatMap(\.parameters) }
      + [body, up1, up2, hr, last].flatMap(\.conv.parameters)
  }

  public var macsPerInputPixel: Int {
    let u2 = unshuffle * unshuffle
    let trunk = blocks.joined().reduce(0) { $0 + $1.convs.reduce(0) { $0 + $1.macsPerPixel } }
    let lr = first.conv.macsPerPixel + trunk + body.conv.macsPerPixel
    return (lr + 4 * up1.conv.macsPerPixel + 16 * (up2.conv.macsPerPixel + hr.conv.macsPerPixel + last.conv.macsPerPixel)) / u2
  }

  public var metadata: [String: String] {
    ["architecture": "RRDBNet", "num_feat": "\(numFeat)", "num_block": "\(numBlock)",
     "num_grow_ch": "\(numGrow)", "scale": "\(scale)", "residual_scale": "\(residualScale)"]
  }

  public func forward(_ x: FeatureBatch, training: Bool) -> FeatureBatch {
    let input = unshuffle == 1 ? x : Kernels.pixelShuffleBackward(x, factor: unshuffle)
    let feat = first.forward(input, training: training)
    var h = feat
    for rrdb in blocks {
      var o = h
      for rdb in rrdb { o = rdb.forward(o, rs: residualScale, training: training) }
      h = Kernels.scaledAdd(o, h, alpha: residualScale, beta: 1)
    }
    h = Kernels.scaledAdd(feat, body.forward(h, training: training))
    h = up1.forward(Kernels.upsampleNearest(h, factor: 2), training: training)
    h = up2.forward(Kernels.upsampleNearest(h, factor: 2), training: training)
    return last.forward(hr.forward(h, training: training), training: training)
  }

  public func backward(_ dy: FeatureBatch) {
    var d = hr.backward(last.backward(dy)!)!
    d = Kernels.upsampleNearestBackward(up2.backward(d)!, factor: 2)
    d = Kernels.upsampleNearestBackward(up1.backward(d)!, factor: 2)
    let dFeat = d
    var g = body.backward(d)!
    for rrdb in blocks.reversed() {
      var o = Kernels.scaledAdd(g, g, alpha: residualScale, beta: 0)
      for rdb in rrdb.reversed() { o = rdb.backward(o, rs: residualScale) }
      g = Kernels.scaledAdd(o, g)
    }
    first.backward(Kernels.scaledAdd(g, dFeat), needInput: false)
  }
}

/// Channel-slice copies on NCHW batches.
enum Channels {
  /// Copies all channels of `x` into `f` starting at channel `at`.
  static func write(_ x: FeatureBatch, into f: inout FeatureBatch, at: Int) {
    precondition(x.n == f.n && x.plane == f.plane && at + x.c <= f.c, "Channels.write: shape mismatch")
    for n in 0..<x.n {
      let src = n * x.sampleSize, dst = (n * f.c + at) * f.plane
      f.data.replaceSubrange(dst..<dst + x.sampleSize, with: x.data[src..<src + x.sampleSize])
    }
  }

  /// Channels `at..<at+count` of `f` as a new batch.
  static func read(_ f: FeatureBatch, at: Int, count: Int) -> FeatureBatch {
    var out = FeatureBatch(n: f.n, c: count, h: f.h, w: f.w)
    for n in 0..<f.n {
      let src = (n * f.c + at) * f.plane, size = count * f.plane
      out.data.replaceSubrange(n * size..<(n + 1) * size, with: f.data[src..<src + size])
    }
    return out
  }
}
