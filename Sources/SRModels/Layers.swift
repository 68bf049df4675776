import SRFormats
import SRTensor

/// A 3x3 (or kxk) stride-1 "same" convolution with bias: weight OIHW, bias [out].
///
/// The weights are prepared once in `init` (`Conv3x3Kernel`: Winograd for 3x3). If `weight` or
/// `bias` is later replaced, calls fall back to the plain `Ops.conv2d` path with the new values.
public struct Conv2d: Sendable {
  /// OIHW weights.
  public var weight: Tensor
  /// Per-output-channel bias.
  public var bias: Tensor?
  /// The prepared kernel for the weights given at `init`.
  let kernel: Conv3x3Kernel

  /// A convolution with OIHW `weight` (`[out, in, k, k]`) and optional `bias` (`[out]`).
  public init(weight: Tensor, bias: Tensor?) {
    self.weight = weight
    self.bias = bias
    kernel = Conv3x3Kernel(weight: weight, bias: bias)
  }

  /// Output channels.
  public var outChannels: Int { weight.shape[0] }
  /// Input channels.
  public var inChannels: Int { weight.shape[1] }
  /// Number of learnable scalars.
  public var parameterCount: Int { weight.count + (bias?.count ?? 0) }

  /// Whether the prepared kernel still matches `weight` and `bias` (O(1) while unmodified).
  var kernelIsCurrent: Bool { kernel.weight == weight && kernel.bias == bias }

  /// The prepared Winograd kernel, if it still matches `weight`/`bias` and is 3x3.
  var preparedWinogradKernel: Conv3x3Kernel? {
    kernelIsCurrent && kernel.usesWinograd ? kernel : nil
  }

  /// Applies the convolution (zero padding k/2) and then `activation`.
  /// With `upsample` > 1 the conv reads `x` upsampled that many times (nearest neighbour); with
  /// `pixelShuffle` > 1 its output is pixel-shuffled by that factor. Both are fused into the
  /// prepared kernel's passes.
  public func callAsFunction(
    _ x: Tensor, _ activation: Activation = .none, upsample: Int = 1, pixelShuffle: Int = 1
  ) -> Tensor {
    if kernelIsCurrent { return kernel(x, activation: activation, upsample: upsample, pixelShuffle: pixelShuffle) }
    let input = upsample == 1 ? x : Ops.upsampleNearest(x, factor: upsample)
    let y = Ops.conv2d(input, weight: weight, bias: bias, stride: 1, padding: weight.shape[2] / 2,
                       activation: activation)
    return pixelShuffle == 1 ? y : Ops.pixelShuffle(y, factor: pixelShuffle)
  }

  /// `scale * activation(conv(x)) + residual`, the residual add fused into the convolution's
  /// output pass; `residual` has the output's shape.
  public func callAsFunction(
    _ x: Tensor, _ activation: Activation = .none, adding residual: Tensor, scale: Float = 1
  ) -> Tensor {
    if kernelIsCurrent { return kernel(x, activation: activation, residual: residual, residualScale: scale) }
    return Ops.scaledAdd(self(x, activation), residual, alpha: scale, beta: 1)
  }

  /// This convolution followed by the inference-mode `bn`, as one convolution:
  /// `w' = w * g / sqrt(var + eps)` per output channel, `b' = (b - mean) * g / sqrt(var + eps) + beta`
  /// (computed in Double).
  public func foldingBatchNorm(_ bn: BatchNorm2d) -> Conv2d {
    let out = outChannels, perOut = weight.count / max(out, 1)
    precondition(bn.weight.count == out, "foldingBatchNorm: \(bn.weight.count) BN channels for \(out) outputs")
    var w = weight.data, b = [Float](repeating: 0, count: out)
    for o in 0..<out {
      let g = Double(bn.weight.data[o]) / (Double(bn.runningVar.data[o]) + Double(bn.epsilon)).squareRoot()
      for k in (o * perOut)..<((o + 1) * perOut) { w[k] = Float(Double(w[k]) * g) }
      let b0 = Double(bias?.data[o] ?? 0)
      b[o] = Float((b0 - Double(bn.runningMean.data[o])) * g + Double(bn.bias.data[o]))
    }
    return Conv2d(weight: Tensor(shape: weight.shape, data: w), bias: Tensor(shape: [out], data: b))
  }
}

/// Inference-mode BatchNorm2d: y = (x - mean) / sqrt(var + eps) * weight + bias.
public struct BatchNorm2d: Sendable {
  public var weight, bias, runningMean, runningVar: Tensor
  /// PyTorch's default epsilon (SR-SPEC §1.1).
  public var epsilon: Float = 1e-5

  /// Number of learnable scalars (weight and bias; running statistics are buffers).
  public var parameterCount: Int { weight.count + bias.count }

  /// Normalises `x` with the running statistics.
  public func callAsFunction(_ x: Tensor) -> Tensor {
    Ops.batchNorm(x, mean: runningMean, variance: runningVar, weight: weight, bias: bias, epsilon: epsilon)
  }
}

/// Reads tensors from a canonical state dict, checking shapes and remembering which keys were used.
struct ParameterReader {
  let dict: StateDict
  private(set) var used: Set<String> = []
  private(set) var missing: [String] = []

  init(_ dict: StateDict) { self.dict = dict }

  /// The tensor at `key`, which must have exactly `shape`.
  mutating func tensor(_ key: String, shape: [Int]) throws -> Tensor {
    guard let t = dict.tensors[key] else {
      missing.append(key)
      return Tensor(shape: shape)
    }
    used.insert(key)
    guard t.shape == shape else {
      // A scalar stored as [n] vs [n,1,1] is still a mismatch: be strict.
      throw ModelLoadError.shapeMismatch(key: key, expected: shape, actual: t.shape)
    }
    return t
  }

  /// A conv at `prefix` with OIHW shape [out, in, k, k] and a bias.
  mutating func conv(_ prefix: String, out: Int, in inC: Int, kernel: Int = 3) throws -> Conv2d {
    let w = try tensor(prefix + ".weight", shape: [out, inC, kernel, kernel])
    let b = try tensor(prefix + ".bias", shape: [out])
    return Conv2d(weight: w, bias: b)
  }

  /// A BatchNorm2d at `prefix` over `channels`.
  mutating func batchNorm(_ prefix: String, channels: Int) throws -> BatchNorm2d {
    BatchNorm2d(
      weight: try tensor(prefix + ".weight", shape: [channels]),
      bias: try tensor(prefix + ".bias", shape: [channels]),
      runningMean: try tensor(prefix + ".running_mean", shape: [channels]),
      runningVar: try tensor(prefix + ".running_var", shape: [channels]))
  }

  /// Throws if any required key was missing or any key (other than ignorable buffers) was unused.
  func finish() throws {
    if !missing.isEmpty { throw ModelLoadError.missingKeys(missing) }
    let extra = dict.tensors.keys.filter { !used.contains($0) && !$0.hasSuffix("num_batches_tracked") }
    if !extra.isEmpty { throw ModelLoadError.unexpectedKeys(Array(extra)) }
  }
}

/// The largest N such that `"<prefix>N."` starts some key, plus one (0 when none).
func countIndexed(_ keys: some Collection<String>, prefix: String) -> Int {
  var best = -1
  for key in keys where key.hasPrefix(prefix) {
    let rest = key.dropFirst(prefix.count)
    if let dot = rest.firstIndex(of: "."), let n = Int(rest[..<dot]) { best = max(best, n) }
  }
  return best + 1
}
