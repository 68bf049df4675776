extension Ops {
  /// LeakyReLU: `y = x` for `x >= 0`, otherwise `slope * x` (any shape).
  public static func leakyReLU(_ x: Tensor, slope: Float) -> Tensor {
    var y = x
    y.applyLeakyReLU(slope: slope)
    return y
  }

  /// ReLU: `y = max(x, 0)` (any shape).
  public static func relu(_ x: Tensor) -> Tensor {
    var y = x
    y.applyReLU()
    return y
  }

  /// Per-channel PReLU on CHW `x`: `y = x` for `x >= 0`, otherwise `slopes[c] * x`.
  /// - Parameter slopes: `[C]`, or `[1]` for one shared slope.
  public static func prelu(_ x: Tensor, slopes: Tensor) -> Tensor {
    requireCHW(x, "prelu")
    let c = x.channels, plane = x.height * x.width
    precondition(slopes.count == c || slopes.count == 1,
                 "prelu: slopes \(slopes.shapeDescription) for \(c) channels")
    return perChannel(x) { ch, src, dst in
      let a = slopes.data[slopes.count == 1 ? 0 : ch]
      for i in 0..<plane {
        let v = src[i]
        dst[i] = v < 0 ? a * v : v
      }
    }
  }

  /// Inference BatchNorm2d on CHW `x`:
  /// `y = (x - mean[c]) / sqrt(variance[c] + epsilon) * weight[c] + bias[c]`; all parameters `[C]`.
  public static func batchNorm(
    _ x: Tensor, mean: Tensor, variance: Tensor, weight: Tensor, bias: Tensor,
    epsilon: Float = 1e-5
  ) -> Tensor {
    requireCHW(x, "batchNorm")
    let c = x.channels
    for (name, p) in [("mean", mean), ("variance", variance), ("weight", weight), ("bias", bias)] {
      precondition(p.count == c, "batchNorm: \(name) \(p.shapeDescription) for \(c) channels")
    }
    let plane = x.height * x.width
    return perChannel(x) { ch, src, dst in
      let inv = 1 / (variance.data[ch] + epsilon).squareRoot()
      let m = mean.data[ch], g = weight.data[ch], b = bias.data[ch]
      for i in 0..<plane { dst[i] = (src[i] - m) * inv * g + b }
    }
  }

  /// Element-wise `a + scale * b` (same shapes).
  public static func add(_ a: Tensor, _ b: Tensor, scale: Float = 1) -> Tensor {
    var y = a
    y.add(b, scale: scale)
    return y
  }

  /// Element-wise `alpha * a + beta * b` (same shapes).
  public static func scaledAdd(_ a: Tensor, _ b: Tensor, alpha: Float, beta: Float) -> Tensor {
    precondition(a.shape == b.shape, "scaledAdd: shapes \(a.shapeDescription) and \(b.shapeDescription)")
    let data = a.data.withUnsafeBufferPointer { pa in
      b.data.withUnsafeBufferPointer { pb in
        Elementwise.makeArray(a.count) { out, range in
          for i in range { out[i] = alpha * pa[i] + beta * pb[i] }
        }
      }
    }
    return Tensor(shape: a.shape, data: data)
  }

  /// Concatenates CHW tensors of equal height and width along channels.
  public static func concat(_ xs: [Tensor]) -> Tensor {
    precondition(!xs.isEmpty, "concat: no tensors")
    for t in xs {
      requireCHW(t, "concat")
      precondition(t.height == xs[0].height && t.width == xs[0].width,
                   "concat: \(t.shapeDescription) does not match \(xs[0].shapeDescription)")
    }
    var data = [Float]()
    data.reserveCapacity(xs.reduce(0) { $0 + $1.count })
    for t in xs { data.append(contentsOf: t.data) }
    return Tensor(shape: [xs.reduce(0) { $0 + $1.channels }, xs[0].height, xs[0].width], data: data)
  }

  /// A tensor shaped like CHW `x` whose channel `c` plane is written by `body(c, src, dst)`,
  /// channels in parallel.
  static func perChannel(
    _ x: Tensor,
    _ body: (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
  ) -> Tensor {
    let plane = x.height * x.width
    let data = x.data.withUnsafeBufferPointer { src in
      [Float](unsafeUninitializedCapacity: x.count) { buffer, initialized in
        if let out = buffer.baseAddress, let s = src.baseAddress {
          Parallel.forEach(x.channels) { ch in body(ch, s + ch * plane, out + ch * plane) }
        }
        initialized = x.count
      }
    }
    return Tensor(shape: x.shape, data: data)
  }
}

extension Tensor {
  /// Replaces each element `v` by `v < 0 ? slope * v : v`, in place.
  public mutating func applyLeakyReLU(slope: Float) {
    apply(.leakyReLU(slope))
  }

  /// Replaces each element by `max(v, 0)`, in place.
  public mutating func applyReLU() {
    apply(.relu)
  }

  /// Applies `activation` to every element in place.
  public mutating func apply(_ activation: Activation) {
    if activation == .none { return }
    let n = count
    data.withUnsafeMutableBufferPointer { buffer in
      guard let p = buffer.baseAddress else { return }
      Elementwise.forEachRange(n) { r in Elementwise.activate(p + r.lowerBound, r.count, activation) }
    }
  }

  /// Adds `scale * other` element-wise in place (shapes must match).
  public mutating func add(_ other: Tensor, scale: Float = 1) {
    precondition(shape == other.shape, "add: shapes \(shapeDescription) and \(other.shapeDescription)")
    let n = count
    other.data.withUnsafeBufferPointer { src in
      data.withUnsafeMutableBufferPointer { dst in
        guard let d = dst.baseAddress, let s = src.baseAddress else { return }
        Elementwise.forEachRange(n) { r in
          if scale == 1 {
            for i in r { d[i] += s[i] }
          } else {
            for i in r { d[i] += scale * s[i] }
          }
        }
      }
    }
  }
}
