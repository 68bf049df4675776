import SRFormats
import SRModels
import SRTensor

/// A generator being trained: an SRModels architecture (its one definition, `LayeredNetwork.graph`)
/// run on a `TapeOps` for the training forward and backward, and on the inference kernels for
/// evaluation, so what validation measures is exactly what `upscale` computes.
public final class TrainableNetwork: @unchecked Sendable {
  /// The architecture and its weights.
  public let network: any LayeredNetwork
  /// Metadata describing the architecture (stored in checkpoints).
  public let metadata: [String: String]
  private var tape: (ops: TapeOps, output: TapeOps.Node)?
  /// How the training passes' convolutions multiply (evaluation always runs fp32 inference).
  public var precision: ConvPrecision = .fp32

  init(_ network: any LayeredNetwork, metadata: [String: String]) {
    self.network = network; self.metadata = metadata
  }

  /// SRResNet (2018 BasicSR, SR-SPEC §1.5), with or without BatchNorm.
  public static func srresnet(numFeat nf: Int, numBlock nb: Int, scale: Int, batchNorm: Bool) throws(TrainError) -> TrainableNetwork {
    guard [2, 3, 4].contains(scale) else { throw .recipe("srresnet scale must be 2, 3 or 4, got \(scale)") }
    guard nf > 0, nb >= 0 else { throw .recipe("srresnet needs num_feat > 0 and num_block >= 0") }
    let net: SRResNet
    do { net = try SRResNet(config: .init(numFeat: nf, numBlock: nb, scale: scale, batchNorm: batchNorm)) } catch {
      throw .recipe("srresnet: \(error)")
    }
    return TrainableNetwork(net, metadata: [
      "architecture": batchNorm ? "SRResNet-BN" : "SRResNet", "num_feat": "\(nf)", "num_block": "\(nb)",
      "scale": "\(scale)", "batch_norm": "\(batchNorm)"])
  }

  /// RRDBNet (ESRGAN, SR-SPEC §1.2) with a configurable residual scale (0.2 in ESRGAN).
  public static func rrdbnet(numFeat nf: Int, numBlock nb: Int, numGrow gc: Int, scale: Int,
                             residualScale: Float = 0.2) throws(TrainError) -> TrainableNetwork {
    guard [1, 2, 4].contains(scale) else { throw .recipe("rrdbnet scale must be 1, 2 or 4, got \(scale)") }
    guard nf > 0, gc > 0, nb >= 0 else { throw .recipe("rrdbnet needs num_feat, num_grow_ch > 0") }
    let net = RRDBNet(config: .init(scale: scale, numFeat: nf, numBlock: nb, numGrow: gc, residualScale: residualScale))
    return TrainableNetwork(net, metadata: [
      "architecture": "RRDBNet", "num_feat": "\(nf)", "num_block": "\(nb)", "num_grow_ch": "\(gc)",
      "scale": "\(scale)", "residual_scale": "\(residualScale)"])
  }

  /// MSRResNet (BasicSR, SR-SPEC §1.4).
  public static func msrresnet(numFeat nf: Int, numBlock nb: Int, scale: Int) throws(TrainError) -> TrainableNetwork {
    guard [2, 3, 4].contains(scale) else { throw .recipe("msrresnet scale must be 2, 3 or 4, got \(scale)") }
    guard nf > 0, nb >= 0 else { throw .recipe("msrresnet needs num_feat > 0") }
    let net: MSRResNet
    do { net = try MSRResNet(config: .init(numFeat: nf, numBlock: nb, scale: scale)) } catch {
      throw .recipe("msrresnet: \(error)")
    }
    return TrainableNetwork(net, metadata: [
      "architecture": "MSRResNet", "num_feat": "\(nf)", "num_block": "\(nb)", "scale": "\(scale)"])
  }

  /// Upscaling factor.
  public var scale: Int { network.scale }
  /// Learnable tensors then buffers, in state-dict order (inference key names).
  public var tensors: [Parameter] { network.tensors }
  /// Learnable parameters only.
  public var parameters: [Parameter] { network.parameters }
  /// Multiply-accumulates per LR input pixel of one forward pass.
  public var macsPerInputPixel: Int { network.macsPerInputPixel }

  /// Runs the network on a batch of LR images. `training`: batch statistics, and the graph is
  /// kept for `backward`; otherwise each sample runs the inference kernels.
  public func forward(_ x: FeatureBatch, training: Bool) -> FeatureBatch {
    guard training else {
      tape = nil
      return FeatureBatch(stacking: (0..<x.n).map { infer(x.sample($0)) })
    }
    let ops = TapeOps(precision: precision)
    let output = network.graph(ops, TapeOps.Node(x), progress: nil)
    tape = (ops, output)
    return output.value
  }

  /// Back-propagates `dy` (gradient of the loss w.r.t. the last training forward's output),
  /// accumulating into every parameter's `grad`.
  public func backward(_ dy: FeatureBatch) {
    guard let tape else { preconditionFailure("backward before a training forward") }
    tape.ops.backward(from: tape.output, dy: dy)
    self.tape = nil
  }

  /// The weights under the inference module's key names, with `metadata`.
  public func stateDict() -> StateDict {
    var d = network.stateDict()
    d.metadata = metadata
    return d
  }

  /// Replaces values from a state dict (names and shapes must match exactly).
  public func load(_ dict: StateDict) throws(TrainError) { try tensors.load(dict) }

  /// Zeroes every gradient.
  public func zeroGrad() { for p in tensors { p.zeroGrad() } }

  /// Runs one CHW image through the inference kernels (what `upscale` runs).
  public func infer(_ x: Tensor) -> Tensor { network.forward(x, progress: nil) }

  /// Initialises convolutions (BN stays γ=1, β=0, mean 0, var 1) in state-dict order.
  func initialise(_ scheme: InitScheme, rng: inout TrainRNG) { tensors.initialise(scheme, rng: &rng) }
}

extension Array where Element == Parameter {
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
    let y = conv.forward(x, activation: slope.map { $0 == 0 ? .relu : .leakyReLU($0) } ?? .none)
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
