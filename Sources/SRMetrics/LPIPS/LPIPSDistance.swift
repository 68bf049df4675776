import SRTensor

/// The per-layer LPIPS comparison of two feature maps.
enum LPIPSDistance {
  /// `sum_c lin[c] * (f0[c]/(|f0|+1e-10) - f1[c]/(|f1|+1e-10))^2` at every pixel of two
  /// `[C, h, w]` activations; norms along channels, accumulated in Double.
  static func weightedMap(_ f0: Tensor, _ f1: Tensor, lin: [Double]) -> [Double] {
    let c = f0.channels, n = f0.height * f0.width
    var out = [Double](repeating: 0, count: n)
    let a = f0.data, b = f1.data
    out.withUnsafeMutableBufferPointer { dst in
      let dstBox = UncheckedSendable(dst)
      let rows = f0.height, w = f0.width
      Parallel.forEach(rows) { r in
        var n0 = [Double](repeating: 0, count: w), n1 = n0
        for ch in 0..<c {
          let base = ch * n + r * w
          for x in 0..<w {
            let u = Double(a[base + x]), v = Double(b[base + x])
            n0[x] += u * u
            n1[x] += v * v
          }
        }
        for x in 0..<w {
          n0[x] = 1 / (n0[x].squareRoot() + 1e-10)
          n1[x] = 1 / (n1[x].squareRoot() + 1e-10)
        }
        var acc = [Double](repeating: 0, count: w)
        for ch in 0..<c {
          let base = ch * n + r * w, l = lin[ch]
          for x in 0..<w {
            let d = Double(a[base + x]) * n0[x] - Double(b[base + x]) * n1[x]
            acc[x] += l * d * d
          }
        }
        for x in 0..<w { dstBox.value[r * w + x] = acc[x] }
      }
    }
    return out
  }
}
