/// Small dense symmetric-matrix helpers for the NIQE distance (n = 36).
enum SymmetricMatrix {
  /// Moore–Penrose pseudo-inverse of a symmetric `n x n` row-major matrix via cyclic Jacobi
  /// eigendecomposition; eigenvalues with |λ| <= 1e-15 · max|λ| are dropped (NumPy `pinv` rcond).
  static func pseudoInverse(_ a: [Double], n: Int) -> [Double] {
    var m = a
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    for _ in 0..<100 {
      var off = 0.0
      for p in 0..<n { for q in (p + 1)..<n { off += m[p * n + q] * m[p * n + q] } }
      if off < 1e-30 { break }
      for p in 0..<n {
        for q in (p + 1)..<n where m[p * n + q] != 0 { rotate(&m, &v, n: n, p: p, q: q) }
      }
    }
    let eig = (0..<n).map { m[$0 * n + $0] }
    let cutoff = 1e-15 * (eig.map(abs).max() ?? 0)
    var out = [Double](repeating: 0, count: n * n)
    for k in 0..<n where abs(eig[k]) > cutoff {
      let inv = 1 / eig[k]
      for i in 0..<n {
        let vik = v[i * n + k] * inv
        for j in 0..<n { out[i * n + j] += vik * v[j * n + k] }
      }
    }
    return out
  }

  /// One Jacobi rotation zeroing m[p, q]; accumulates the eigenvectors in the columns of v.
  private static func rotate(_ m: inout [Double], _ v: inout [Double], n: Int, p: Int, q: Int) {
    let apq = m[p * n + q], app = m[p * n + p], aqq = m[q * n + q]
    let theta = (aqq - app) / (2 * apq)
    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
    let c = 1 / (t * t + 1).squareRoot(), s = t * c
    for k in 0..<n {
      let mkp = m[k * n + p], mkq = m[k * n + q]
      m[k * n + p] = c * mkp - s * mkq
      m[k * n + q] = s * mkp + c * mkq
    }
    for k in 0..<n {
      let mpk = m[p * n + k], mqk = m[q * n + k]
      m[p * n + k] = c * mpk - s * mqk
      m[q * n + k] = s * mpk + c * mqk
    }
    for k in 0..<n {
      let vkp = v[k * n + p], vkq = v[k * n + q]
      v[k * n + p] = c * vkp - s * vkq
      v[k * n + q] = s * vkp + c * vkq
    }
  }
}
