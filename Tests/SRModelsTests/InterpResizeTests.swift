import Foundation
import SRFormats
import SRTensor
import SRTestSupport
import Testing

/// `InterpResize` against ncnn itself: `Fixtures/interp_ncnn.npz` holds, per case, the output of the
/// real ncnn (PyPI `ncnn` 1.0.20261020, CPU fp32) for `Input -> Interp` (Scripts/make_interp_fixtures.py).
@Suite("InterpResize: ncnn's Interp, against ncnn")
struct InterpResizeTests {
  static let archive: [String: (shape: [Int], data: [Double])] = {
    guard let url = Bundle.module.url(forResource: "Fixtures/interp_ncnn", withExtension: "npz"),
          let data = try? Data(contentsOf: url), let arrays = try? NumPy.readNPZ([UInt8](data)) else { return [:] }
    return arrays
  }()

  /// Case ids as the script writes them (a missing id fails the case, so the lists must agree).
  static let ids = [
    "bicubic_half", "bicubic_half_odd", "bicubic_three_quarters", "bicubic_double",
    "bicubic_three_quarters_align", "bilinear_half", "bilinear_three_quarters", "bilinear_double",
    "nearest_half", "nearest_three_quarters", "nearest_double",
  ]

  static func tensor(_ key: String) throws -> Tensor {
    let a = try #require(archive[key], "no '\(key)' in interp_ncnn.npz")
    return Tensor(shape: a.shape, data: a.data.map { Float($0) })
  }

  /// Nearest copies values, so it must be exact. Bilinear and bicubic sum taps as ncnn's SIMD
  /// column loops do (p = x0·w0, then fused p += xk·wk), but the weights are rounded differently
  /// (`InterpResize.cubicWeights`): measured worst 1.5e-6 (bicubic ×0.75), 2.4e-7 for the other
  /// bicubic and bilinear cases; the bound leaves a little room over the worst.
  static let bound = 2e-6

  @Test(arguments: ids)
  func matchesNCNN(_ id: String) throws {
    let p = try Self.tensor(id + ".params").data
    let mode = try #require(InterpResize.Mode(rawValue: Int(p[0])))
    let resize = InterpResize(mode: mode, factor: p[1], alignCorner: p[2] != 0)
    let input = try Self.tensor(id + ".input")
    let expected = try Self.tensor(id + ".output")
    let output = resize(input)
    #expect(output.shape == expected.shape)
    #expect(resize.outputSize(input.height) == expected.height)
    let dev = Deviation(output.data, expected.data.map(Double.init))
    #expect(dev.error <= (mode == .nearest ? 0 : Self.bound), "\(resize): \(dev)")
  }

  /// A hand-checked value: ×0.5 bicubic of a ramp 0, 1, …, 7 (one row) samples at source 0.5, 2.5,
  /// 4.5, 6.5; inside the row the A = -0.75 kernel reproduces a linear ramp exactly, and at the
  /// borders ncnn merges the weights of clamped taps into the edge pixel.
  @Test func bicubicHalfOfARamp() {
    let x = Tensor(shape: [1, 4, 8], data: (0..<32).map { Float($0 % 8) })
    let y = InterpResize(mode: .bicubic, factor: 0.5)(x)
    #expect(y.shape == [1, 2, 4])
    // fx = 0.5 everywhere: weights (-0.09375, 0.59375, 0.59375, -0.09375). Left: taps (-1, 0, 1, 2)
    // become (0, 0, 1, 2): (-0.09375 + 0.59375)·0 + 0.59375·1 - 0.09375·2 = 0.40625. Right, mirrored:
    // 7 - 0.40625 = 6.59375.
    #expect(Array(y.data[0..<4]) == [0.40625, 2.5, 4.5, 6.59375])
  }

  @Test func unchangedSizeIsTheIdentity() {
    let x = Tensor(shape: [1, 3, 3], data: (0..<9).map(Float.init))
    #expect(InterpResize(mode: .bicubic, factor: 1)(x) == x)
  }

  @Test(arguments: [("bicubic 0.5", InterpResize(mode: .bicubic, factor: 0.5)),
                    ("bilinear 0.75 align_corner", InterpResize(mode: .bilinear, factor: 0.75, alignCorner: true)),
                    ("nearest 2.0", InterpResize(mode: .nearest, factor: 2))])
  func metadataRoundTrips(_ text: String, _ resize: InterpResize) {
    #expect(resize.metadataValue == text)
    #expect(InterpResize(metadataValue: text) == resize)
  }

  @Test(arguments: ["", "bicubic", "cubic 0.5", "bicubic x0.5", "bicubic 0", "bicubic nan", "bicubic -1",
                    "bicubic 0.5 corners", "bicubic 0.5 align_corner extra"])
  func rejectsMalformedMetadata(_ text: String) {
    #expect(InterpResize(metadataValue: text) == nil)
  }
}
