import Foundation
import SRFormats
import SRModels
import SRTensor

/// Adam (PyTorch `torch.optim.Adam` update, L2 weight decay added to the gradient).
public final class Adam: @unchecked Sendable {
  /// β1, β2, ε and the L2 weight decay.
  public let beta1, beta2, epsilon, weightDecay: Double
  /// Number of steps taken.
  public private(set) var step = 0
  private var m: [String: [Float]] = [:]
  private var v: [String: [Float]] = [:]

  /// Creates an optimiser with PyTorch's defaults unless given.
  public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0) {
    self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
  }

  /// One update of every parameter with learning rate `lr` (buffers are skipped).
  public func update(_ parameters: [Parameter], lr: Double) {
    step += 1
    let bc1 = 1 - pow(beta1, Double(step)), bc2 = 1 - pow(beta2, Double(step))
    let stepSize = Float(lr / bc1), bc2Sqrt = Float(bc2.squareRoot())
    let b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon), wd = Float(weightDecay)
    for p in parameters where !p.isBuffer {
      var mp = m[p.name] ?? [Float](repeating: 0, count: p.value.count)
      var vp = v[p.name] ?? [Float](repeating: 0, count: p.value.count)
      mp.withUnsafeMutableBufferPointer { m in
        vp.withUnsafeMutableBufferPointer { v in
          p.value.withUnsafeMutableBufferPointer { value in
            p.grad.withUnsafeBufferPointer { grad in
              for i in 0..<value.count {
                let g = grad[i] + wd * value[i]
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                value[i] -= stepSize * m[i] / (v[i].squareRoot() / bc2Sqrt + eps)
              }
            }
          }
        }
      }
      m[p.name] = mp; v[p.name] = vp
    }
  }

  /// Moments as tensors `<name>.exp_avg` / `<name>.exp_avg_sq` (shapes of the parameters).
  func stateTensors(_ parameters: [Parameter]) -> [(String, Tensor)] {
    parameters.filter { !$0.isBuffer }.flatMap { p -> [(String, Tensor)] in
      let zeros = [Float](repeating: 0, count: p.value.count)
      return [(p.name + ".exp_avg", Tensor(shape: p.shape, data: m[p.name] ?? zeros)),
              (p.name + ".exp_avg_sq", Tensor(shape: p.shape, data: v[p.name] ?? zeros))]
    }
  }

  /// Restores moments and the step count written by `stateTensors`.
  func restore(_ dict: StateDict, parameters: [Parameter], step: Int) throws(TrainError) {
    for p in parameters where !p.isBuffer {
      guard let a = dict.tensors[p.name + ".exp_avg"], let b = dict.tensors[p.name + ".exp_avg_sq"],
            a.count == p.value.count, b.count == p.value.count
      else { throw .checkpoint("optimizer state for \(p.name) missing or mis-shaped") }
      m[p.name] = a.data; v[p.name] = b.data
    }
    self.step = step
  }
}
