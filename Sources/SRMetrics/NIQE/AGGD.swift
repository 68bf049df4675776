import Foundation

/// Asymmetric generalised Gaussian fit by moment matching (SR-SPEC §3.6 step 5).
struct AGGD {
  /// Shape α, from the grid {0.2, 0.201, …, 10.0}.
  var alpha: Double
  /// Left scale βl.
  var betaLeft: Double
  /// Right scale βr.
  var betaRight: Double

  /// The grid of α values, `0.2 + 0.001 i` for i in 0..<9801 (as `np.arange(0.2, 10.001, 0.001)`).
  static let alphas: [Double] = (0..<9801).map { 0.2 + 0.001 * Double($0) }
  /// ρ(α) = Γ(2/α)² / (Γ(1/α) Γ(3/α)) on the grid; strictly increasing, so it is searched by bisection.
  static let rho: [Double] = alphas.map { a in
    let g2 = tgamma(2 / a)
    return g2 * g2 / (tgamma(1 / a) * tgamma(3 / a))
  }

  /// Moment sums of a sample; exact zeros count towards `n`, `sumAbs`, `sumSquares` only.
  struct Moments {
    var n = 0, nLeft = 0, nRight = 0
    var sumAbs = 0.0, sumSquares = 0.0, sumLeft = 0.0, sumRight = 0.0

    /// Adds one sample.
    @inline(__always) mutating func add(_ x: Double) {
      n += 1
      let sq = x * x
      sumAbs += abs(x)
      sumSquares += sq
      if x < 0 {
        nLeft += 1
        sumLeft += sq
      } else if x > 0 {
        nRight += 1
        sumRight += sq
      }
    }
  }

  /// Fits the AGGD to accumulated moments. An empty side gives NaN scales (and NaN features),
  /// as NumPy's mean of an empty array does; such blocks drop out of the covariance.
  init(_ m: Moments) {
    let sl = m.nLeft > 0 ? (m.sumLeft / Double(m.nLeft)).squareRoot() : .nan
    let sr = m.nRight > 0 ? (m.sumRight / Double(m.nRight)).squareRoot() : .nan
    let gh = sl / sr
    let meanAbs = m.sumAbs / Double(m.n)
    let rh = meanAbs * meanAbs / (m.sumSquares / Double(m.n))
    let r = rh * (gh * gh * gh + 1) * (gh + 1) / ((gh * gh + 1) * (gh * gh + 1))
    let a = Self.alphas[Self.nearestIndex(r)]
    let f = (tgamma(1 / a) / tgamma(3 / a)).squareRoot()
    alpha = a
    betaLeft = sl * f
    betaRight = sr * f
  }

  /// The index minimising `(rho[i] - r)^2`, lowest index on ties; 0 for NaN (NumPy `argmin`).
  static func nearestIndex(_ r: Double) -> Int {
    guard !r.isNaN else { return 0 }
    var lo = 0, hi = rho.count  // first index with rho >= r
    while lo < hi {
      let mid = (lo + hi) / 2
      if rho[mid] < r { lo = mid + 1 } else { hi = mid }
    }
    if lo == 0 { return 0 }
    if lo == rho.count { return rho.count - 1 }
    let below = r - rho[lo - 1], above = rho[lo] - r
    return below * below <= above * above ? lo - 1 : lo
  }

  /// η = (βr − βl) Γ(2/α) / Γ(1/α).
  var eta: Double { (betaRight - betaLeft) * tgamma(2 / alpha) / tgamma(1 / alpha) }
}
