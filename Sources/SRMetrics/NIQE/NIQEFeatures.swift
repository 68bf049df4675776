import SRTensor

/// The 18 NIQE features of the MSCN blocks at one scale (SR-SPEC §3.6 steps 3–4).
enum NIQEFeatures {
  /// Replicate-border correlation of a row-major `h x w` image with a 7x7 window.
  static func correlateNearest(_ img: [Double], _ h: Int, _ w: Int, window: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: h * w)
    out.withUnsafeMutableBufferPointer { dst in
      let box = UncheckedSendableBuffer(dst)
      Parallel.forEach(h) { y in
        for x in 0..<w {
          var s = 0.0
          for i in 0..<7 {
            let row = min(max(y + i - 3, 0), h - 1) * w
            for j in 0..<7 { s += window[i * 7 + j] * img[row + min(max(x + j - 3, 0), w - 1)] }
          }
          box.buffer[y * w + x] = s
        }
      }
    }
    return out
  }

  /// Mean-subtracted contrast-normalised coefficients `(I − μ)/(σ + 1)`.
  static func mscn(_ img: [Double], _ h: Int, _ w: Int, window: [Double]) -> [Double] {
    let mu = correlateNearest(img, h, w, window: window)
    let sq = correlateNearest(img.map { $0 * $0 }, h, w, window: window)
    return img.indices.map { i in
      let sigma = abs(sq[i] - mu[i] * mu[i]).squareRoot()
      return (img[i] - mu[i]) / (sigma + 1)
    }
  }

  /// 18 features for each `size x size` block, blocks in row-major order.
  static func blocks(_ m: [Double], _ h: Int, _ w: Int, size: Int) -> [[Double]] {
    let rows = h / size, cols = w / size
    var out = [[Double]](repeating: [], count: rows * cols)
    out.withUnsafeMutableBufferPointer { dst in
      let box = UncheckedSendableBuffer(dst)
      Parallel.forEach(rows * cols) { k in
        let top = (k / cols) * size, left = (k % cols) * size
        var block = [Double](repeating: 0, count: size * size)
        for y in 0..<size {
          for x in 0..<size { block[y * size + x] = m[(top + y) * w + left + x] }
        }
        box.buffer[k] = features(block, size: size)
      }
    }
    return out
  }

  /// [α, (βl+βr)/2] of the block, then [α, η, βl, βr] of the products with the block
  /// circularly shifted by (0,1), (1,0), (1,1), (1,−1).
  static func features(_ b: [Double], size s: Int) -> [Double] {
    var m = AGGD.Moments()
    for v in b { m.add(v) }
    let base = AGGD(m)
    var f = [base.alpha, (base.betaLeft + base.betaRight) / 2]
    for (dy, dx) in [(0, 1), (1, 0), (1, 1), (1, -1)] {
      var p = AGGD.Moments()
      for y in 0..<s {
        let sy = ((y - dy) % s + s) % s
        for x in 0..<s { p.add(b[y * s + x] * b[sy * s + ((x - dx) % s + s) % s]) }
      }
      let fit = AGGD(p)
      f += [fit.alpha, fit.eta, fit.betaLeft, fit.betaRight]
    }
    return f
  }
}

/// A mutable buffer shared by the workers of one `Parallel.forEach` (each writes disjoint slots).
struct UncheckedSendableBuffer<Element>: @unchecked Sendable {
  /// The buffer.
  let buffer: UnsafeMutableBufferPointer<Element>
  /// Wraps `buffer`.
  init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
