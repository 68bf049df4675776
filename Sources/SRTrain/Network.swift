import SRFormats
import SRTensor

/// A generator with a hand-written training graph: forward caches what backward needs.
public protocol TrainableNetwork: AnyObject {
  /// Upscaling factor.
  var scale: Int { get }
  /// Learnable tensors then buffers, in state-dict order (inference key names).
  var tensors: [Parameter] { get }
  /// Multiply-accumulates per LR input pixel of one forward pass.
  var macsPerInputPixel: Int { get }
  /// Metadata describing the architecture (stored in checkpoints).
  var metadata: [String: String] { get }
  /// Runs the network on a batch of LR images; `training` uses batch statistics and keeps caches.
  func forward(_ x: FeatureBatch, training: Bool) -> FeatureBatch
  /// Back-propagates `dy` (gradient of the loss w.r.t. the last training forward's output),
  /// accumulating into every parameter's `grad`.
  func backward(_ dy: FeatureBatch)
}

extension TrainableNetwork {
  /// Learnable parameters only.
  public var parameters: [Parameter] { tensors.filter { !$0.isBuffer } }

  /// The weights under the inference module's key names.
  public func stateDict() -> StateDict {
    var d = tensors.stateDict()
    d.metadata = metadata
    return d
  }

  /// Replaces values from a state dict (names and shapes must match exactly).
  public func load(_ dict: StateDict) throws(TrainError) { try tensors.load(dict) }

  /// Zeroes every gradient.
  public func zeroGrad() { for p in tensors { p.zeroGrad() } }

  /// Runs one CHW image through the network in eval mode.
  public func infer(_ x: Tensor) -> Tensor {
    forward(FeatureBatch(stacking: [x]), training: false).sample(0)
  }

  /// Initialises convolutions (BN stays γ=1, β=0, mean 0, var 1) in state-dict order.
  func initialise(_ scheme: InitScheme, rng: inout TrainRNG) { tensors.initialise(scheme, rng: &rng) }
}

extension Array where Element == Parameter {
  /// The values under their names (no metadata).
  func stateDict() -> StateDict {
    var d = StateDict()
    for p in self { d[p.name] = Tensor(shape: p.shape, data: p.value) }
    return d
  }

  /// Replaces values from a state dict (names and shapes must match exactly).
  func load(_ dict: StateDict) throws(TrainError) {
    for p in self {
      guard let t = dict.tensors[p.name] else { throw .checkpoint("missing tensor \(p.name)") }
      guard t.shape == p.shape else { throw .checkpoint("tensor \(p.name) has shape \(t.shape), expected \(p.shape)") }
      p.value = t.data
    }
  }

  /// Initialises conv (`[out, in, kh, kw]`) and linear (`[out, in]`) weights and their `.bias`
  /// in order; fan-in is the product of the dimensions after the first. Other tensors are untouched.
  func initialise(_ scheme: InitScheme, rng: inout TrainRNG) {
    for p in self where p.shape.count == 4 || p.shape.count == 2 {
      let fanIn = p.shape.dropFirst().reduce(1, *)
      let bound = 1 / Double(fanIn).squareRoot(), std = (2 / Double(fanIn)).squareRoot()
      let bias = first { $0.name == String(p.name.dropLast(".weight".count)) + ".bias" }
      switch scheme {
      case .pytorch:
        p.value = p.value.map { _ in Float((rng.unit() * 2 - 1) * bound) }
        bias?.value = bias!.value.map { _ in Float((rng.unit() * 2 - 1) * bound) }
      case .msra, .msra01:
        let gain = scheme == .msra ? 1.0 : 0.1
        p.value = p.value.map { _ in Float(rng.normal() * std * gain) }
        bias?.value = bias!.value.map { _ in 0 }
      }
    }
  }
}

/// A conv followed by an optional (leaky) ReLU, caching input and output for backward.
final class ConvUnit: @unchecked Sendable {
  let conv: Conv
  /// nil: no activation; 0: ReLU; s: LeakyReLU(s).
  let slope: Float?
  private var input, output: FeatureBatch?

  init(_ name: String, in inC: Int, out outC: Int, slope: Float?) {
    conv = Conv(name, in: inC, out: outC)
    self.slope = slope
  }

  func forward(_ x: FeatureBatch, training: Bool) -> FeatureBatch {
    var y = conv.forward(x)
    if let slope { y = Kernels.leaky(y, slope: slope) }
    if training { input = x; output = y }
    return y
  }

  /// Returns the input gradient when `needInput`.
  @discardableResult
  func backward(_ dy: FeatureBatch, needInput: Bool = true) -> FeatureBatch? {
    guard let x = input, let y = output else { preconditionFailure("ConvUnit.backward before forward") }
    var d = dy
    if let slope { d = Kernels.leakyBackward(output: y, dy: dy, slope: slope) }
    var dx: FeatureBatch? = needInput ? x.zerosLike() : nil
    conv.backward(input: x, dy: d, dx: &dx)
    return dx
  }
}

/// Typed trainer failures, one line each.
public enum TrainError: Error, CustomStringConvertible, Equatable {
  /// The recipe is invalid.
  case recipe(String)
  /// Training data problem (no images, image smaller than the patch, unreadable file).
  case data(String)
  /// Checkpoint read or write problem.
  case checkpoint(String)

  public var description: String {
    switch self {
    case .recipe(let m): "recipe: \(m)"
    case .data(let m): "training data: \(m)"
    case .checkpoint(let m): "checkpoint: \(m)"
    }
  }
}
