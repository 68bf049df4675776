import Foundation
@testable import SRMetrics
import SRTensor
import Testing

/// NIQE vs Scripts/metrics_reference.py on a committed 192x192 gray crop; tolerance 1e-3
/// relative (STYLE.md §2.7). Needs basicsr's niqe_pris_params.npz under $SRSCOPE_ASSETS.
@Suite(.enabled(if: Fixture.hasAssets, "needs SRSCOPE_ASSETS with niqe/niqe_pris_params.npz"))
struct NIQETests {
  static let niqe: NIQE? = try? NIQE(parametersPath: Fixture.assets.niqeParameters())

  static func model() throws -> NIQE { try #require(niqe, "NIQE parameters failed to load") }

  @Test(arguments: [("camera192", MetricGoldens.niqe_camera192),
                    ("camera192_bicubic", MetricGoldens.niqe_camera192_bicubic)])
  func scoreMatchesReference(_ name: String, _ golden: Double) throws {
    let s = try Self.model().score(try Fixture.rgb255(name), cropBorder: 0)
    #expect(abs(s - golden) / golden < 1e-3, "NIQE \(name): \(s) vs \(golden)")
  }

  @Test func twoBlockImageMatchesReference() throws {
    let img = try Fixture.rgb255("camera192")
    let top = Tensor(shape: [3, 96, 192], data: (0..<3).flatMap { c in img.data[(c * 192 * 192)..<(c * 192 * 192 + 96 * 192)] })
    let s = try Self.model().score(top, cropBorder: 0)
    #expect(abs(s - MetricGoldens.niqe_camera192_top96) / MetricGoldens.niqe_camera192_top96 < 1e-3)
    // A 1-channel input is taken as Y directly: the gray crop's Y is 16 + 219 v / 255.
    let y = Tensor(shape: [1, 96, 192], data: (0..<(96 * 192)).map { Float(16 + 219 * Double(top.data[$0]) / 255) })
    #expect(abs(try Self.model().score(y, cropBorder: 0) - s) < 1e-9)
  }

  @Test func rejectsFewerThanTwoBlocks() throws {
    let img = try Fixture.rgb255("camera192")
    #expect(throws: MetricError.imageTooSmall(metric: "NIQE", minimum: "2 blocks of 96x96 (96x192 or 192x96)", actual: "184x184")) {
      try Self.model().score(img, cropBorder: 4)
    }
    #expect(throws: MetricError.imageTooSmall(metric: "NIQE", minimum: "2 blocks of 96x96 (96x192 or 192x96)", actual: "191x191")) {
      try Self.model().score(Tensor(shape: [3, 191, 191]), cropBorder: 0)
    }
    #expect(throws: MetricError.cropTooLarge(crop: 96, height: 192, width: 192)) {
      try Self.model().score(img, cropBorder: 96)
    }
  }

  @Test func flatImageIsUndefined() throws {
    #expect(throws: MetricError.undefined(metric: "NIQE", reason: "0 of 2 blocks have finite features; need 2")) {
      try Self.model().score(Tensor(shape: [3, 96, 192], repeating: 128), cropBorder: 0)
    }
  }
}

/// NIQE internals vs brute force (no assets needed).
@Suite struct NIQEInternalsTests {
  @Test func alphaLookupEqualsArgminOverTheGrid() {
    var g = SeededGeneratorBox(seed: 7)
    let probes = (0..<300).map { _ in 0.05 + 0.75 * Double(g.next() % 1_000_000) / 1_000_000 } + AGGD.rho[0..<5] + [0.7405345403791718, 1]
    for r in probes {
      var best = 0
      for i in AGGD.rho.indices where (AGGD.rho[i] - r) * (AGGD.rho[i] - r) < (AGGD.rho[best] - r) * (AGGD.rho[best] - r) { best = i }
      #expect(AGGD.nearestIndex(r) == best, "r = \(r)")
    }
    #expect(AGGD.nearestIndex(.nan) == 0)
    #expect(AGGD.alphas.count == 9801 && AGGD.alphas.last == 10.0)
    // ρ(2) = Γ(1)²/(Γ(1/2)Γ(3/2)) = 2/π for the Gaussian.
    #expect(abs(AGGD.rho[1800] - 2 / Double.pi) < 1e-12)
  }

  @Test func pseudoInverseInvertsSPDAndDropsNullSpace() {
    var g = SeededGeneratorBox(seed: 3)
    let n = 36
    let b = (0..<(n * n)).map { _ in Double(g.next() % 2001) / 1000 - 1 }
    var a = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { for k in 0..<n { a[i * n + j] += b[i * n + k] * b[j * n + k] } } }
    for i in 0..<n { a[i * n + i] += 0.1 }
    let inv = SymmetricMatrix.pseudoInverse(a, n: n)
    for i in 0..<n {
      for j in 0..<n {
        let p = (0..<n).reduce(0.0) { $0 + a[i * n + $1] * inv[$1 * n + j] }
        #expect(abs(p - (i == j ? 1 : 0)) < 1e-8)
      }
    }
    // Rank 1: [[1,1],[1,1]]⁺ = [[.25,.25],[.25,.25]].
    let r1 = SymmetricMatrix.pseudoInverse([1, 1, 1, 1], n: 2)
    #expect(r1.allSatisfy { abs($0 - 0.25) < 1e-14 })
  }
}
