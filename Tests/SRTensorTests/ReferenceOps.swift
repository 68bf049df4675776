import SRTensor
import SRTestSupport

/// Naive float64 implementations of every op, written straight from the formulas in
/// SR-SPEC.md §1.1 with no shared code with SRTensor (the independent reference).
enum Reference {
  /// Float32 tensor data widened to Double.
  static func wide(_ t: Tensor) -> [Double] { t.data.map(Double.init) }

  static func conv2d(
    _ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int, activation: Activation
  ) -> (shape: [Int], data: [Double]) {
    let (ci, h, w) = (x.shape[0], x.shape[1], x.shape[2])
    let (co, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
    let oh = (h + 2 * padding - kh) / stride + 1, ow = (w + 2 * padding - kw) / stride + 1
    var out = [Double](repeating: 0, count: co * oh * ow)
    for o in 0..<co {
      for oy in 0..<oh {
        for ox in 0..<ow {
          var s = bias.map { Double($0.data[o]) } ?? 0
          for i in 0..<ci {
            for ky in 0..<kh {
              for kx in 0..<kw {
                let iy = oy * stride - padding + ky, ix = ox * stride - padding + kx
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                s += Double(x.data[(i * h + iy) * w + ix])
                  * Double(weight.data[((o * ci + i) * kh + ky) * kw + kx])
              }
            }
          }
          out[(o * oh + oy) * ow + ox] = activate(s, activation)
        }
      }
    }
    return ([co, oh, ow], out)
  }

  static func activate(_ v: Double, _ a: Activation) -> Double {
    switch a {
    case .none: return v
    case .relu: return max(v, 0)
    case .leakyReLU(let s): return v >= 0 ? v : Double(s) * v
    }
  }

  static func upsampleNearest(_ x: Tensor, factor s: Int) -> [Double] {
    let (c, h, w) = (x.shape[0], x.shape[1], x.shape[2])
    var out = [Double]()
    for ch in 0..<c {
      for y in 0..<h * s {
        for xx in 0..<w * s { out.append(Double(x[ch, y / s, xx / s])) }
      }
    }
    return out
  }

  /// PyTorch bilinear, align_corners=False, integer scale: separable, negative src clamped to 0.
  static func upsampleBilinear(_ x: Tensor, factor s: Int) -> [Double] {
    let (c, h, w) = (x.shape[0], x.shape[1], x.shape[2])
    func tap(_ d: Int, _ n: Int) -> (Int, Int, Double) {
      let src = max(0, (Double(d) + 0.5) / Double(s) - 0.5)
      let i0 = Int(src.rounded(.down))
      return (i0, min(i0 + 1, n - 1), src - Double(i0))
    }
    var out = [Double]()
    for ch in 0..<c {
      for y in 0..<h * s {
        let (y0, y1, ly) = tap(y, h)
        for xx in 0..<w * s {
          let (x0, x1, lx) = tap(xx, w)
          let v = { (yy: Int, xi: Int) in Double(x[ch, yy, xi]) }
          out.append((1 - ly) * ((1 - lx) * v(y0, x0) + lx * v(y0, x1))
                     + ly * ((1 - lx) * v(y1, x0) + lx * v(y1, x1)))
        }
      }
    }
    return out
  }

  static func pixelShuffle(_ x: Tensor, factor r: Int) -> [Double] {
    let (cin, h, w) = (x.shape[0], x.shape[1], x.shape[2])
    let c = cin / (r * r)
    var out = [Double](repeating: .nan, count: x.count)
    for ch in 0..<c {
      for y in 0..<h {
        for xx in 0..<w {
          for i in 0..<r {
            for j in 0..<r {
              out[(ch * h * r + y * r + i) * w * r + xx * r + j] = Double(x[ch * r * r + i * r + j, y, xx])
            }
          }
        }
      }
    }
    return out
  }

  static func pixelUnshuffle(_ x: Tensor, factor s: Int) -> [Double] {
    let (c, h, w) = (x.shape[0], x.shape[1], x.shape[2])
    let (oh, ow) = (h / s, w / s)
    var out = [Double](repeating: .nan, count: x.count)
    for ch in 0..<c {
      for i in 0..<s {
        for j in 0..<s {
          for y in 0..<oh {
            for xx in 0..<ow {
              out[((ch * s * s + i * s + j) * oh + y) * ow + xx] = Double(x[ch, y * s + i, xx * s + j])
            }
          }
        }
      }
    }
    return out
  }

  static func maxPool(_ x: Tensor, kernel k: Int, stride s: Int) -> [Double] {
    let (c, h, w) = (x.shape[0], x.shape[1], x.shape[2])
    var out = [Double]()
    for ch in 0..<c {
      for y in 0..<(h - k) / s + 1 {
        for xx in 0..<(w - k) / s + 1 {
          var m = -Double.infinity
          for ky in 0..<k {
            for kx in 0..<k { m = max(m, Double(x[ch, y * s + ky, xx * s + kx])) }
          }
          out.append(m)
        }
      }
    }
    return out
  }
}

/// A seeded tensor with uniform values in [-1, 1].
func seededTensor(_ shape: [Int], seed: UInt64) -> Tensor {
  var g = SeededGenerator(seed: seed)
  return Tensor(shape: shape, data: g.floats(shape.reduce(1, *)))
}
