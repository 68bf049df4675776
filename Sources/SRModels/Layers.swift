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
  /// With `pixelShuffle` > 1 the output is pixel-shuffled by that factor, fused into the prepared
  /// kernel's output pass.
  public func callAsFunction(_ x: Tensor, _ activation: Activation = .none, pixelShuffle: Int = 1) -> Tensor {
    if kernelIsCurrent { return kernel(x, activation: activation, pixelShuffle: pixelShuffle) }
    let y = Ops.conv2d(x, weight: weight, bias: bias, stride: 1, padding: weight.shape[2] / 2,
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

  /// This 3x3 convolution applied to its input upsampled x2 (nearest neighbour), as a convolution
  /// of the input itself with 4x the output channels, whose PixelShuffle(2) is the result: output
  /// pixel (2i + a, 2j + b) only ever reads source rows i-1..i (a = 0) or i..i+1 (a = 1), and
  /// columns likewise, so each phase `(a, b)` is a 3x3 kernel with the taps that land on the same
  /// source pixel summed (in Double) and one row and column zero. Channel `4o + 2a + b` is phase
  /// `(a, b)` of output `o`, the order PixelShuffle expects. Reading the small input saves 3/4 of
  /// the Winograd input transform; the products stay the same.
  public func onNearestUpsampledByTwo() -> Conv2d {
    precondition(weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3,
                 "onNearestUpsampledByTwo: weight \(weight.shapeDescription) is not 3x3")
    let (out, inC) = (outChannels, inChannels)
    // Kernel row (or column) k of phase a lands on effective row effective[a][k].
    let effective = [[0, 1, 1], [1, 1, 2]]
    var sums = [Double](repeating: 0, count: 4 * out * inC * 9)
    for o in 0..<out {
      for c in 0..<inC {
        for ky in 0..<3 {
          for kx in 0..<3 {
            let w = Double(weight.data[((o * inC + c) * 3 + ky) * 3 + kx])
            for a in 0..<2 {
              for b in 0..<2 {
                sums[(((4 * o + 2 * a + b) * inC + c) * 3 + effective[a][ky]) * 3 + effective[b][kx]] += w
              }
            }
          }
        }
      }
    }
    let phasedBias = bias.map { b in Tensor(shape: [4 * out], data: (0..<(4 * out)).map { b.data[$0 / 4] }) }
    return Conv2d(weight: Tensor(shape: [4 * out, inC, 3, 3], data: sums.map(Float.init)), bias: phasedBias)
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
