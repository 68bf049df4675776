import SRFormats
import SRTensor

/// A generator defined once, as `graph` over `LayerOps`: inference runs it with `InferenceOps`,
/// the trainer with its tape, and a new architecture is written once for both.
public protocol LayeredNetwork: SuperResolutionNetwork, AnyObject {
  /// Learnable tensors then buffers, in state-dict order (BasicSR key names).
  var tensors: [Parameter] { get }
  /// The forward pass. `progress` (inference) receives values in 0...1 as the trunk advances.
  func graph<L: LayerOps>(_ ops: L, _ x: L.Value, progress: ((Double) -> Void)?) -> L.Value
}

extension LayeredNetwork {
  /// The inference forward pass (prepared, fused kernels).
  public func forward(_ x: Tensor, progress: ((Double) -> Void)?) -> Tensor {
    graph(InferenceOps(), x, progress: progress)
  }

  /// The inference forward pass with convolutions in `precision`.
  public func forward(_ x: Tensor, precision: ConvPrecision, progress: ((Double) -> Void)?) -> Tensor {
    graph(InferenceOps(precision: precision), x, progress: progress)
  }

  /// The weights under their canonical key names.
  public func stateDict() -> StateDict {
    var d = StateDict()
    for p in tensors { d[p.name] = Tensor(shape: p.shape, data: p.value) }
    return d
  }

  /// Number of learnable scalars (BatchNorm running statistics excluded).
  public var parameterCount: Int { tensors.filter { !$0.isBuffer }.reduce(0) { $0 + $1.value.count } }

  /// Learnable tensors only.
  public var parameters: [Parameter] { tensors.filter { !$0.isBuffer } }

  /// Multiply-accumulates of one forward pass per input pixel.
  public var macsPerInputPixel: Int {
    let side = inputMultiple, counter = MACCounter()
    _ = graph(counter, MACCounter.Shape(c: 3, h: side, w: side), progress: nil)
    return counter.macs / (side * side)
  }

  /// Sets every tensor from `weights`, which must hold exactly these keys (BatchNorm's
  /// `num_batches_tracked` aside) with these shapes.
  func load(_ weights: StateDict) throws {
    var reader = ParameterReader(weights)
    for p in tensors { p.value = try reader.tensor(p.name, shape: p.shape).data }
    try reader.finish()
  }
}
