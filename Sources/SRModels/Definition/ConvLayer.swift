import Foundation
import SRTensor

/// A 3x3 convolution's learnable tensors under their state-dict names, and the inference kernels
/// prepared from their current values.
///
/// The layer is what an architecture's one definition (`LayeredNetwork.graph`) names: inference
/// runs its prepared kernels (`Conv2d`, Winograd, fused epilogues), the trainer reads and updates
/// `weight` and `bias` (SRTrain). A kernel is prepared on first use after the values change
/// (`Parameter.version`), so a network being trained and validated never runs stale weights.
public final class ConvLayer: @unchecked Sendable {
  /// OIHW `[out, in, 3, 3]` weights and `[out]` bias.
  public let weight, bias: Parameter
  /// Input and output channels.
  public let inC, outC: Int

  private let lock = NSLock()
  private var prepared: [String: (stamp: [Int], conv: Conv2d)] = [:]

  /// A zero layer named `name` (`name.weight`, `name.bias`).
  public init(_ name: String, in inC: Int, out outC: Int) {
    self.inC = inC; self.outC = outC
    weight = Parameter(name + ".weight", shape: [outC, inC, 3, 3])
    bias = Parameter(name + ".bias", shape: [outC])
  }

  /// Weight then bias.
  public var parameters: [Parameter] { [weight, bias] }
  /// Multiply-accumulates per output pixel.
  public var macsPerPixel: Int { inC * outC * 9 }

  /// The convolution as inference runs it.
  public var inference: Conv2d { cached("plain", [weight, bias]) { plainConv() } }

  /// The prepared Winograd kernel of the current values (the trainer's forward pass runs it too).
  package var preparedKernel: Conv3x3Kernel { inference.kernel }

  /// The convolution applied to its input upsampled x2 (nearest), as `Conv2d.onNearestUpsampledByTwo`.
  var upsampledByTwo: Conv2d { cached("up2", [weight, bias]) { plainConv().onNearestUpsampledByTwo() } }

  /// The convolution followed by the inference-mode `bn`, folded into one (`Conv2d.foldingBatchNorm`).
  func folding(_ bn: BatchNormLayer) -> Conv2d {
    cached("bn", [weight, bias] + bn.tensors) { plainConv().foldingBatchNorm(bn.inference) }
  }

  private func plainConv() -> Conv2d {
    Conv2d(weight: Tensor(shape: weight.shape, data: weight.value), bias: Tensor(shape: [outC], data: bias.value))
  }

  /// The kernel kept under `key`, prepared again when any of `sources` changed since.
  private func cached(_ key: String, _ sources: [Parameter], make: () -> Conv2d) -> Conv2d {
    let stamp = sources.map(\.version)
    lock.lock(); defer { lock.unlock() }
    if let hit = prepared[key], hit.stamp == stamp { return hit.conv }
    let conv = make()
    prepared[key] = (stamp, conv)
    return conv
  }
}

/// A BatchNorm2d's learnable tensors and running statistics under their state-dict names.
public final class BatchNormLayer: @unchecked Sendable {
  /// γ, β, and the running mean and variance (buffers).
  public let weight, bias, runningMean, runningVar: Parameter
  /// Channels normalised.
  public let channels: Int
  /// PyTorch's default ε.
  public let epsilon: Float = 1e-5

  /// γ = 1, β = 0, mean 0, variance 1.
  public init(_ name: String, channels: Int) {
    self.channels = channels
    weight = Parameter(name + ".weight", shape: [channels], fill: 1)
    bias = Parameter(name + ".bias", shape: [channels])
    runningMean = Parameter(name + ".running_mean", shape: [channels], buffer: true)
    runningVar = Parameter(name + ".running_var", shape: [channels], fill: 1, buffer: true)
  }

  /// Learnable tensors then buffers, in state-dict order.
  public var tensors: [Parameter] { [weight, bias, runningMean, runningVar] }

  /// The inference-mode layer (running statistics).
  var inference: BatchNorm2d {
    func t(_ p: Parameter) -> Tensor { Tensor(shape: [channels], data: p.value) }
    return BatchNorm2d(weight: t(weight), bias: t(bias), runningMean: t(runningMean), runningVar: t(runningVar),
                       epsilon: epsilon)
  }
}
