import SRModels
import SRTensor

/// `LayerOps` on NCHW batches for training: each operation computes its output with the batch
/// kernels (`Conv`, `BatchNorm`, `Kernels`) and records how to send its output's gradient back to
/// its inputs; `backward` replays the records in reverse. An architecture's `graph` run on a tape
/// is its training forward pass; no network has a hand-written backward.
final class TapeOps: LayerOps {
  /// One value of the graph: the batch and the gradient accumulated for it.
  final class Node {
    let value: FeatureBatch
    var grad: FeatureBatch?
    init(_ value: FeatureBatch) { self.value = value }

    /// Adds `g` to this node's gradient.
    func accumulate(_ g: FeatureBatch) {
      guard grad != nil else { grad = g; return }
      Kernels.addInPlace(&grad!, g)
    }
  }

  private var steps: [() -> Void] = []
  /// How the convolutions multiply.
  let precision: ConvPrecision

  init(precision: ConvPrecision = .fp32) { self.precision = precision }

  /// Sets `output`'s gradient to `dy` and runs every recorded step backwards.
  func backward(from output: Node, dy: FeatureBatch) {
    output.grad = dy
    for step in steps.reversed() { step() }
    steps = []
  }

  private func record(_ step: @escaping () -> Void) { steps.append(step) }

  /// `activation`'s gradient from its output `y`.
  private static func activationBackward(_ activation: Activation, output y: FeatureBatch, dy: FeatureBatch) -> FeatureBatch {
    switch activation {
    case .none: dy
    case .relu: Kernels.leakyBackward(output: y, dy: dy, slope: 0)
    case .leakyReLU(let s): Kernels.leakyBackward(output: y, dy: dy, slope: s)
    }
  }

  private static func apply(_ activation: Activation, _ x: FeatureBatch) -> FeatureBatch {
    switch activation {
    case .none: x
    case .relu: Kernels.leaky(x, slope: 0)
    case .leakyReLU(let s): Kernels.leaky(x, slope: s)
    }
  }

  /// Sends `d` (the gradient at the convolution's output) through `c` to `x` and the parameters.
  private func convBackward(_ c: Conv, _ x: Node, _ d: FeatureBatch) {
    if x.value.c == c.inC { return x.accumulate(c.backward(input: x.value, dy: d, precision: precision)) }
    var dx: FeatureBatch? = x.value.zerosLike()
    c.backward(input: x.value, dy: d, dx: &dx, precision: precision)
    x.accumulate(dx!)
  }

  func conv(_ c: ConvLayer, _ x: Node, batchNorm bn: BatchNormLayer?, activation: Activation, pixelShuffle f: Int) -> Node {
    if bn == nil && f == 1 {
      let y = Node(c.forward(x.value, activation: activation, precision: precision))
      record {
        guard let dy = y.grad else { return }
        self.convBackward(c, x, Self.activationBackward(activation, output: y.value, dy: dy))
      }
      return y
    }
    let norm = bn.map { BatchNorm(layer: $0) }
    var z = c.forward(x.value, precision: precision)
    if let norm { z = norm.forward(z, training: true) }
    if f > 1 { z = Kernels.pixelShuffle(z, factor: f) }
    let y = Node(Self.apply(activation, z))
    record {
      guard let dy = y.grad else { return }
      var d = Self.activationBackward(activation, output: y.value, dy: dy)
      if f > 1 { d = Kernels.pixelShuffleBackward(d, factor: f) }
      if let norm { d = norm.backward(d) }
      self.convBackward(c, x, d)
    }
    return y
  }

  func conv(_ c: ConvLayer, _ x: Node, batchNorm bn: BatchNormLayer?, adding residual: Node, scale: Float) -> Node {
    let norm = bn.map { BatchNorm(layer: $0) }
    var z = c.forward(x.value, precision: precision)
    if let norm { z = norm.forward(z, training: true) }
    let y = Node(Kernels.scaledAdd(z, residual.value, alpha: scale, beta: 1))
    record {
      guard let dy = y.grad else { return }
      residual.accumulate(dy)
      var d = scale == 1 ? dy : Kernels.scaledAdd(dy, dy, alpha: scale, beta: 0)
      if let norm { d = norm.backward(d) }
      self.convBackward(c, x, d)
    }
    return y
  }

  func add(_ a: Node, _ b: Node, scale: Float) -> Node {
    let y = Node(Kernels.scaledAdd(a.value, b.value, alpha: scale, beta: 1))
    record {
      guard let dy = y.grad else { return }
      a.accumulate(scale == 1 ? dy : Kernels.scaledAdd(dy, dy, alpha: scale, beta: 0))
      b.accumulate(dy)
    }
    return y
  }

  /// One growing channel buffer per block: conv i reads its first `nf + i·gc` channels, so the
  /// concatenations are never copied.
  func denseBlock(_ convs: [ConvLayer], _ x: Node, slope: Float, scale: Float) -> Node {
    let nf = x.value.c, gc = convs[0].outC
    var f = FeatureBatch(n: x.value.n, c: nf + 4 * gc, h: x.value.h, w: x.value.w)
    Channels.write(x.value, into: &f, at: 0)
    for i in 0..<4 { Channels.write(convs[i].forward(f, activation: .leakyReLU(slope), precision: precision), into: &f, at: nf + i * gc) }
    let features = f
    let y = Node(Kernels.scaledAdd(convs[4].forward(features, precision: precision), x.value, alpha: scale, beta: 1))
    record {
      guard let dy = y.grad else { return }
      var df: FeatureBatch? = features.zerosLike()
      convs[4].backward(input: features, dy: Kernels.scaledAdd(dy, dy, alpha: scale, beta: 0), dx: &df,
                         precision: self.precision)
      for i in (0..<4).reversed() {
        let at = nf + i * gc
        let d = Kernels.leakyBackward(output: Channels.read(features, at: at, count: gc),
                                      dy: Channels.read(df!, at: at, count: gc), slope: slope)
        convs[i].backward(input: features, dy: d, dx: &df, precision: self.precision)
      }
      x.accumulate(Kernels.scaledAdd(Channels.read(df!, at: 0, count: nf), dy))
    }
    return y
  }

  func upsampledConv(_ c: ConvLayer, _ x: Node, activation: Activation) -> Node {
    let up = Node(Kernels.upsampleNearest(x.value, factor: 2))
    record { guard let dy = up.grad else { return }; x.accumulate(Kernels.upsampleNearestBackward(dy, factor: 2)) }
    return conv(c, up, batchNorm: nil, activation: activation, pixelShuffle: 1)
  }

  func pixelUnshuffle(_ x: Node, factor: Int) -> Node {
    let y = Node(Kernels.pixelShuffleBackward(x.value, factor: factor))
    record { guard let dy = y.grad else { return }; x.accumulate(Kernels.pixelShuffle(dy, factor: factor)) }
    return y
  }

  func addingBilinearUpsample(_ y: Node, of input: Node, factor: Int) -> Node {
    var out = y.value
    let size = out.sampleSize
    for n in 0..<input.value.n {
      let base = Ops.upsampleBilinear(input.value.sample(n), factor: factor)
      for i in 0..<size { out.data[n * size + i] += base.data[i] }
    }
    let result = Node(out)
    record { guard let dy = result.grad else { return }; y.accumulate(dy) }
    return result
  }
}
