import Foundation
import SRModels
import SRTensor

/// Training-mode BatchNorm2d over a `BatchNormLayer`: batch statistics over N x H x W, running
/// stats with momentum 0.1 and the unbiased variance (PyTorch semantics), ε = 1e-5. One instance
/// per forward call: it keeps what its backward needs.
final class BatchNorm: @unchecked Sendable {
  let layer: BatchNormLayer
  let momentum: Float = 0.1
  private var xhat: FeatureBatch?
  private var invStd: [Float] = []

  init(layer: BatchNormLayer) { self.layer = layer }
  convenience init(_ name: String, channels: Int) { self.init(layer: BatchNormLayer(name, channels: channels)) }

  var channels: Int { layer.channels }
  var epsilon: Float { layer.epsilon }
  var weight: Parameter { layer.weight }
  var bias: Parameter { layer.bias }
  var runningMean: Parameter { layer.runningMean }
  var runningVar: Parameter { layer.runningVar }
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
    let (plane, xc, n) = (x.plane, x.c, x.n)
    let (g, b) = (weight.value, bias.value)
    xh.data.withUnsafeMutableBufferPointer { hp in
      y.data.withUnsafeMutableBufferPointer { yp in
        let (hat, out) = (UncheckedSendable(hp.baseAddress!), UncheckedSendable(yp.baseAddress!))
        Parallel.forEach(channels) { c in
          let mu = mean[c], s = inv[c], gamma = g[c], beta = b[c]
          for sample in 0..<n {
            let base = (sample * xc + c) * plane
            for i in base..<base + plane {
              let v = (out.value[i] - mu) * s
              hat.value[i] = v
              out.value[i] = v * gamma + beta
            }
          }
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
    let (plane, dc, n) = (dy.plane, dy.c, dy.n)
    let sums = UncheckedSendable(UnsafeMutablePointer<Float>.allocate(capacity: 2 * channels))
    defer { sums.value.deallocate() }
    let (gamma, inv) = (weight.value, invStd)
    xh.data.withUnsafeBufferPointer { hp in
      dx.data.withUnsafeMutableBufferPointer { dp in
        let (hat, d) = (UncheckedSendable(hp.baseAddress!), UncheckedSendable(dp.baseAddress!))
        Parallel.forEach(channels) { c in
          var sdy: Float = 0, sdyx: Float = 0
          for sample in 0..<n {
            let base = (sample * dc + c) * plane
            for i in base..<base + plane { sdy += d.value[i]; sdyx += d.value[i] * hat.value[i] }
          }
          sums.value[2 * c] = sdy; sums.value[2 * c + 1] = sdyx
          let k = gamma[c] * inv[c] / m
          for sample in 0..<n {
            let base = (sample * dc + c) * plane
            for i in base..<base + plane { d.value[i] = k * (m * d.value[i] - sdy - hat.value[i] * sdyx) }
          }
        }
      }
    }
    for c in 0..<channels { weight.grad[c] += sums.value[2 * c + 1]; bias.grad[c] += sums.value[2 * c] }
    return dx
  }
}

/// Stateless forward/backward kernels on NCHW batches, parallel over contiguous element ranges
/// (each element's arithmetic is the same on any thread count).
enum Kernels {
  /// Elements a worker takes at least (smaller passes run on the calling thread).
  static let grain = 1 << 15

  /// An elementwise operation of two equally sized batches (`b` unused by `leaky`).
  enum Pointwise {
    /// `a < 0 ? a·slope : a`.
    case leaky(Float)
    /// `b > 0 ? a : a·slope` (`a` the gradient, `b` the activation's output).
    case leakyGradient(Float)
    /// `alpha·a + beta·b`.
    case scaledAdd(Float, Float)
  }

  /// `op` on every element, written into a fresh uninitialised batch (no copy, no zero fill); the
  /// operation is chosen once per range, so each loop is plain arithmetic the compiler vectorises.
  static func pointwise(_ a: FeatureBatch, _ b: FeatureBatch, _ op: Pointwise) -> FeatureBatch {
    precondition(a.count == b.count, "Kernels: sizes \(a.count) vs \(b.count)")
    let count = a.count
    return FeatureBatch(n: a.n, c: a.c, h: a.h, w: a.w) { out in
      a.data.withUnsafeBufferPointer { ap in
        b.data.withUnsafeBufferPointer { bp in
          let task = UncheckedSendable((ap.baseAddress!, bp.baseAddress!, out))
          Parallel.forEachRange((count + grain - 1) / grain) { parts in
            let (x, y, dst) = task.value
            let range = parts.lowerBound * grain..<min(count, parts.upperBound * grain)
            switch op {
            case .leaky(let s): for i in range { let v = x[i]; dst[i] = v < 0 ? v * s : v }
            case .leakyGradient(let s): for i in range { dst[i] = y[i] > 0 ? x[i] : x[i] * s }
            case .scaledAdd(let alpha, let beta): for i in range { dst[i] = alpha * x[i] + beta * y[i] }
            }
          }
        }
      }
    }
  }

  /// `a += b` (equal sizes), in place.
  static func addInPlace(_ a: inout FeatureBatch, _ b: FeatureBatch) {
    precondition(a.count == b.count, "Kernels: sizes \(a.count) vs \(b.count)")
    let count = a.count
    a.data.withUnsafeMutableBufferPointer { ap in
      b.data.withUnsafeBufferPointer { bp in
        let task = UncheckedSendable((ap.baseAddress!, bp.baseAddress!))
        Parallel.forEachRange((count + grain - 1) / grain) { parts in
          let (x, y) = task.value
          for i in parts.lowerBound * grain..<min(count, parts.upperBound * grain) { x[i] += y[i] }
        }
      }
    }
  }

  /// LeakyReLU (slope 0 gives ReLU).
  static func leaky(_ x: FeatureBatch, slope: Float) -> FeatureBatch {
    pointwise(x, x, .leaky(slope))
  }

  /// Backward of `leaky` from its output `y` (valid for slope ≥ 0: sign(y) = sign(x) off the kink).
  static func leakyBackward(output y: FeatureBatch, dy: FeatureBatch, slope: Float) -> FeatureBatch {
    pointwise(dy, y, .leakyGradient(slope))
  }

  /// `alpha * a + beta * b`.
  static func scaledAdd(_ a: FeatureBatch, _ b: FeatureBatch, alpha: Float = 1, beta: Float = 1) -> FeatureBatch {
    pointwise(a, b, .scaledAdd(alpha, beta))
  }

  /// Nearest-neighbour ×f upsampling.
  static func upsampleNearest(_ x: FeatureBatch, factor f: Int) -> FeatureBatch {
    let (yh, yw, xw, xplane) = (x.h * f, x.w * f, x.w, x.plane)
    let yplane = yh * yw
    return FeatureBatch(n: x.n, c: x.c, h: yh, w: yw) { out in  // every value written below
      x.data.withUnsafeBufferPointer { xp in
        let (src, dst) = (UncheckedSendable(xp.baseAddress!), UncheckedSendable(out))
        Parallel.forEach(x.n * x.c) { p in
          for oy in 0..<yh {
            let s = src.value + p * xplane + (oy / f) * xw, d = dst.value + p * yplane + oy * yw
            for ox in 0..<yw { d[ox] = s[ox / f] }
          }
        }
      }
    }
  }

  /// Adjoint of `upsampleNearest`: sums each f x f block.
  static func upsampleNearestBackward(_ dy: FeatureBatch, factor f: Int) -> FeatureBatch {
    var dx = FeatureBatch(n: dy.n, c: dy.c, h: dy.h / f, w: dy.w / f)
    let (h, w, xw, xplane, yplane) = (dy.h, dy.w, dx.w, dx.plane, dy.plane)
    dy.data.withUnsafeBufferPointer { yp in
      dx.data.withUnsafeMutableBufferPointer { xp in
        let (src, dst) = (UncheckedSendable(yp.baseAddress!), UncheckedSendable(xp.baseAddress!))
        Parallel.forEach(dy.n * dy.c) { p in
          for oy in 0..<h {
            let s = src.value + p * yplane + oy * w, d = dst.value + p * xplane + (oy / f) * xw
            for ox in 0..<w { d[ox / f] += s[ox] }
          }
        }
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

  /// Moves every element between the low-resolution layout `[c·r², h, w]` and the shuffled
  /// `[c, h·r, w·r]` one, in parallel over (sample, output channel).
  private static func shuffle(_ t: FeatureBatch, factor r: Int, forward: Bool) -> FeatureBatch {
    let lo = forward ? (c: t.c, h: t.h, w: t.w) : (c: t.c * r * r, h: t.h / r, w: t.w / r)
    let oc = lo.c / (r * r)
    var out = forward ? FeatureBatch(n: t.n, c: oc, h: lo.h * r, w: lo.w * r) : FeatureBatch(n: t.n, c: lo.c, h: lo.h, w: lo.w)
    t.data.withUnsafeBufferPointer { tp in
      out.data.withUnsafeMutableBufferPointer { op in
        let (src, dst) = (UncheckedSendable(tp.baseAddress!), UncheckedSendable(op.baseAddress!))
        Parallel.forEach(t.n * oc) { task in
          let n = task / oc, c = task % oc
          let lowBase = (n * lo.c + c * r * r) * lo.h * lo.w, highBase = (n * oc + c) * lo.h * r * lo.w * r
          for i in 0..<r {
            for j in 0..<r {
              let low = lowBase + (i * r + j) * lo.h * lo.w
              for y in 0..<lo.h {
                let l = low + y * lo.w, hgh = highBase + (y * r + i) * lo.w * r + j
                if forward {
                  for x in 0..<lo.w { dst.value[hgh + x * r] = src.value[l + x] }
                } else {
                  for x in 0..<lo.w { dst.value[l + x] = src.value[hgh + x * r] }
                }
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
