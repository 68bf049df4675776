import Foundation
import SRTensor

/// Training-mode BatchNorm2d: batch statistics over N x H x W, running stats with momentum 0.1
/// and the unbiased variance (PyTorch semantics), ε = 1e-5.
final class BatchNorm: @unchecked Sendable {
  let weight, bias, runningMean, runningVar: Parameter
  let channels: Int
  let momentum: Float = 0.1, epsilon: Float = 1e-5
  private var xhat: FeatureBatch?
  private var invStd: [Float] = []

  init(_ name: String, channels: Int) {
    self.channels = channels
    weight = Parameter(name + ".weight", shape: [channels], fill: 1)
    bias = Parameter(name + ".bias", shape: [channels])
    runningMean = Parameter(name + ".running_mean", shape: [channels], buffer: true)
    runningVar = Parameter(name + ".running_var", shape: [channels], fill: 1, buffer: true)
  }

  var parameters: [Parameter] { [weight, bias] }
  var buffers: [Parameter] { [runningMean, runningVar] }

  /// Normalises with batch statistics (training) or running statistics (eval).
  func forward(_ x: FeatureBatch, training: Bool) -> FeatureBatch {
    precondition(x.c == channels, "BatchNorm: \(x.c) channels, expected \(channels)")
    let m = x.n * x.plane
    var mean = [Float](repeating: 0, count: channels), inv = mean
    if training {
      precondition(m > 1, "BatchNorm: training needs more than one value per channel")
      let stats = UncheckedSendable(UnsafeMutablePointer<Double>.allocate(capacity: 2 * channels))
      defer { stats.value.deallocate() }
      x.data.withUnsafeBufferPointer { xp in
        Parallel.forEach(channels) { c in
          var s = 0.0, s2 = 0.0
          for n in 0..<x.n {
            let p = xp.baseAddress! + (n * x.c + c) * x.plane
            for i in 0..<x.plane { s += Double(p[i]) }
          }
          let mu = s / Double(m)
          for n in 0..<x.n {
            let p = xp.baseAddress! + (n * x.c + c) * x.plane
            for i in 0..<x.plane { let d = Double(p[i]) - mu; s2 += d * d }
          }
          stats.value[2 * c] = mu; stats.value[2 * c + 1] = s2 / Double(m)
        }
      }
      for c in 0..<channels {
        let mu = stats.value[2 * c], v = stats.value[2 * c + 1]
        mean[c] = Float(mu)
        inv[c] = Float(1 / (v + Double(epsilon)).squareRoot())
        runningMean.value[c] = (1 - momentum) * runningMean.value[c] + momentum * Float(mu)
        runningVar.value[c] = (1 - momentum) * runningVar.value[c] + momentum * Float(v * Double(m) / Double(m - 1))
      }
    } else {
      for c in 0..<channels {
        mean[c] = runningMean.value[c]; inv[c] = 1 / (runningVar.value[c] + epsilon).squareRoot()
      }
    }
    var xh = x
    var y = x
    for n in 0..<x.n {
      for c in 0..<channels {
        let base = (n * x.c + c) * x.plane
        let mu = mean[c], s = inv[c], g = weight.value[c], b = bias.value[c]
        for i in base..<base + x.plane {
          let v = (x.data[i] - mu) * s
          xh.data[i] = v
          y.data[i] = v * g + b
        }
      }
    }
    if training { xhat = xh; invStd = inv }
    return y
  }

  /// Gradient through the training-mode forward; accumulates dγ, dβ.
  func backward(_ dy: FeatureBatch) -> FeatureBatch {
    guard let xh = xhat else { preconditionFailure("BatchNorm.backward before a training forward") }
    let m = Float(dy.n * dy.plane)
    var dx = dy
    for c in 0..<channels {
      var sdy: Float = 0, sdyx: Float = 0
      for n in 0..<dy.n {
        let base = (n * dy.c + c) * dy.plane
        for i in base..<base + dy.plane { sdy += dy.data[i]; sdyx += dy.data[i] * xh.data[i] }
      }
      weight.grad[c] += sdyx
      bias.grad[c] += sdy
      let k = weight.value[c] * invStd[c] / m
      for n in 0..<dy.n {
        let base = (n * dy.c + c) * dy.plane
        for i in base..<base + dy.plane { dx.data[i] = k * (m * dy.data[i] - sdy - xh.data[i] * sdyx) }
      }
    }
    return dx
  }
}

/// Stateless forward/backward kernels on NCHW batches.
enum Kernels {
  /// LeakyReLU (slope 0 gives ReLU).
  static func leaky(_ x: FeatureBatch, slope: Float) -> FeatureBatch {
    var y = x
    for i in y.data.indices where y.data[i] < 0 { y.data[i] *= slope }
    return y
  }

  /// Backward of `leaky` from its output `y` (valid for slope ≥ 0: sign(y) = sign(x) off the kink).
  static func leakyBackward(output y: FeatureBatch, dy: FeatureBatch, slope: Float) -> FeatureBatch {
    var dx = dy
    for i in dx.data.indices where !(y.data[i] > 0) { dx.data[i] *= slope }
    return dx
  }

  /// `alpha * a + beta * b`.
  static func scaledAdd(_ a: FeatureBatch, _ b: FeatureBatch, alpha: Float = 1, beta: Float = 1) -> FeatureBatch {
    precondition(a.count == b.count, "scaledAdd: sizes \(a.count) vs \(b.count)")
    var y = a
    for i in y.data.indices { y.data[i] = alpha * a.data[i] + beta * b.data[i] }
    return y
  }

  /// Nearest-neighbour ×f upsampling.
  static func upsampleNearest(_ x: FeatureBatch, factor f: Int) -> FeatureBatch {
    var y = FeatureBatch(n: x.n, c: x.c, h: x.h * f, w: x.w * f)
    for p in 0..<x.n * x.c {
      for oy in 0..<y.h {
        let src = p * x.plane + (oy / f) * x.w, dst = p * y.plane + oy * y.w
        for ox in 0..<y.w { y.data[dst + ox] = x.data[src + ox / f] }
      }
    }
    return y
  }

  /// Adjoint of `upsampleNearest`: sums each f x f block.
  static func upsampleNearestBackward(_ dy: FeatureBatch, factor f: Int) -> FeatureBatch {
    var dx = FeatureBatch(n: dy.n, c: dy.c, h: dy.h / f, w: dy.w / f)
    for p in 0..<dy.n * dy.c {
      for oy in 0..<dy.h {
        let src = p * dy.plane + oy * dy.w, dst = p * dx.plane + (oy / f) * dx.w
        for ox in 0..<dy.w { dx.data[dst + ox / f] += dy.data[src + ox] }
      }
    }
    return dx
  }

  /// PixelShuffle(r): out[c, y·r+i, x·r+j] = in[c·r² + i·r + j, y, x].
  static func pixelShuffle(_ x: FeatureBatch, factor r: Int) -> FeatureBatch {
    shuffle(x, factor: r, forward: true)
  }

  /// Adjoint (and inverse) of `pixelShuffle`.
  static func pixelShuffleBackward(_ dy: FeatureBatch, factor r: Int) -> FeatureBatch {
    shuffle(dy, factor: r, forward: false)
  }

  private static func shuffle(_ t: FeatureBatch, factor r: Int, forward: Bool) -> FeatureBatch {
    let lo = forward ? (c: t.c, h: t.h, w: t.w) : (c: t.c * r * r, h: t.h / r, w: t.w / r)
    let oc = lo.c / (r * r)
    var out = forward ? FeatureBatch(n: t.n, c: oc, h: lo.h * r, w: lo.w * r) : FeatureBatch(n: t.n, c: lo.c, h: lo.h, w: lo.w)
    for n in 0..<t.n {
      for c in 0..<oc {
        for i in 0..<r {
          for j in 0..<r {
            for y in 0..<lo.h {
              for x in 0..<lo.w {
                let low = ((n * lo.c + c * r * r + i * r + j) * lo.h + y) * lo.w + x
                let high = ((n * oc + c) * lo.h * r + y * r + i) * lo.w * r + x * r + j
                if forward { out.data[high] = t.data[low] } else { out.data[low] = t.data[high] }
              }
            }
          }
        }
      }
    }
    return out
  }

  /// Mean absolute error and its gradient with respect to `prediction`.
  static func l1(_ prediction: FeatureBatch, _ target: FeatureBatch) -> (loss: Double, grad: FeatureBatch) {
    precondition(prediction.count == target.count, "l1: sizes \(prediction.count) vs \(target.count)")
    var g = prediction
    var sum = 0.0
    let inv = 1 / Float(prediction.count)
    for i in g.data.indices {
      let d = prediction.data[i] - target.data[i]
      sum += Double(abs(d))
      g.data[i] = d > 0 ? inv : (d < 0 ? -inv : 0)
    }
    return (sum / Double(prediction.count), g)
  }
}
