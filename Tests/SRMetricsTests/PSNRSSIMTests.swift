import Foundation
import SRMetrics
import SRTensor
import Testing

/// PSNR/SSIM vs Scripts/metrics_reference.py (float64 NumPy) on committed photo crops.
/// Tolerances: PSNR 1e-4 dB, SSIM 1e-5 (STYLE.md §2.7).
@Suite struct PSNRSSIMTests {
  static let cases: [(String, String, Int, Bool)] = goldenPairs.flatMap { pair in
    [0, 4].flatMap { crop in [true, false].map { (pair.0, pair.1, crop, $0) } }
  }

  @Test(arguments: cases)
  func matchesReference(_ ref: String, _ dist: String, _ crop: Int, _ y: Bool) throws {
    let golden = try #require(goldenPairs.first { $0.1 == dist }?.2)
    let a = try Fixture.rgb255(ref), b = try Fixture.rgb255(dist)
    let key = y ? "Y\(crop)" : "RGB\(crop)"
    let psnr = try PSNR.compute(a, b, cropBorder: crop, yChannel: y)
    let ssim = try SSIM.compute(a, b, cropBorder: crop, yChannel: y)
    #expect(abs(psnr - golden["psnr" + key]!) < 1e-4, "PSNR \(dist) \(key): \(psnr) vs \(golden["psnr" + key]!)")
    #expect(abs(ssim - golden["ssim" + key]!) < 1e-5, "SSIM \(dist) \(key): \(ssim) vs \(golden["ssim" + key]!)")
  }

  @Test(arguments: goldenPairs.map { ($0.0, $0.1) })
  func ssimMapIsAlignedWithInput(_ ref: String, _ dist: String) throws {
    let golden = try #require(goldenPairs.first { $0.1 == dist }?.2)
    let a = try Fixture.rgb255(ref), b = try Fixture.rgb255(dist)
    let map = try SSIM.map(a, b, cropBorder: 0, yChannel: false)
    #expect(map.shape == [1, a.height, a.width])
    let c = a.height / 2
    #expect(abs(Double(map[0, 5, 5]) - golden["ssimMapRGB_5_5"]!) < 1e-5)
    #expect(abs(Double(map[0, c, c]) - golden["ssimMapRGB_\(c)_\(c)"]!) < 1e-5)
    #expect(map[0, 4, 5].isNaN && map[0, 5, a.width - 5].isNaN && map[0, a.height - 5, 5].isNaN)
    #expect(!map[0, a.height - 6, a.width - 6].isNaN)
    // The mean of the finite values is the SSIM (Float map: 1e-6).
    let finite = map.data.filter { !$0.isNaN }.map(Double.init)
    #expect(finite.count == (a.height - 10) * (a.width - 10))
    let mean = finite.reduce(0, +) / Double(finite.count)
    #expect(abs(mean - golden["ssimRGB0"]!) < 1e-6)
    // With a crop, the NaN frame widens by the crop.
    let cropped = try SSIM.map(a, b, cropBorder: 4, yChannel: true)
    #expect(cropped[0, 8, 9].isNaN && !cropped[0, 9, 9].isNaN)
  }

  @Test func identicalImagesGiveInfinityAndOne() throws {
    let a = try Fixture.rgb255("coffee100")
    #expect(try PSNR.compute(a, a, cropBorder: 4, yChannel: true) == .infinity)
    #expect(try PSNR.compute(a, a, cropBorder: 0, yChannel: false) == .infinity)
    #expect(abs(try SSIM.compute(a, a, cropBorder: 4, yChannel: false) - 1) < 1e-12)
    #expect(abs(try SSIM.compute(a, a, cropBorder: 0, yChannel: true) - 1) < 1e-12)
  }

  @Test func psnrMatchesNaiveFormulaOnSyntheticPlanes() throws {
    // One gray channel that differs by exactly 3 levels everywhere: MSE 9.
    let a = Tensor(shape: [1, 12, 12], repeating: 100), b = Tensor(shape: [1, 12, 12], repeating: 103)
    #expect(abs(try PSNR.compute(a, b, cropBorder: 2, yChannel: true) - 10 * log10(65025.0 / 9)) < 1e-12)
    // RGB mismatch only in R by 10: MSE over channels = 100/3; in Y the difference is 65.481*10/255.
    var c = Tensor(shape: [3, 4, 4], repeating: 50)
    for i in 0..<16 { c.data[i] = 60 }
    let d = Tensor(shape: [3, 4, 4], repeating: 50)
    #expect(abs(try PSNR.compute(c, d, cropBorder: 0, yChannel: false) - 10 * log10(65025.0 / (100.0 / 3))) < 1e-12)
    let dy = 65.481 * 10 / 255
    #expect(abs(try PSNR.compute(c, d, cropBorder: 1, yChannel: true) - 10 * log10(65025.0 / (dy * dy))) < 1e-9)
  }

  @Test func rejectsMismatchedSizes() throws {
    let a = Tensor(shape: [3, 20, 20]), b = Tensor(shape: [3, 20, 21])
    #expect(throws: MetricError.sizeMismatch(a: [3, 20, 20], b: [3, 20, 21])) {
      try PSNR.compute(a, b, cropBorder: 0, yChannel: false)
    }
    #expect(throws: MetricError.sizeMismatch(a: [3, 20, 20], b: [3, 20, 21])) {
      try SSIM.compute(a, b, cropBorder: 0, yChannel: true)
    }
    #expect(MetricError.sizeMismatch(a: [3, 20, 20], b: [3, 20, 21]).description
      == "images differ in size: [3, 20, 20] vs [3, 20, 21]")
  }

  @Test func rejectsBadShapesAndCrops() throws {
    let a = Tensor(shape: [3, 20, 20])
    #expect(throws: MetricError.invalidShape(metric: "PSNR", shape: [2, 20, 20], expected: "[1 or 3, H, W]")) {
      try PSNR.compute(Tensor(shape: [2, 20, 20]), Tensor(shape: [2, 20, 20]), cropBorder: 0, yChannel: false)
    }
    #expect(throws: MetricError.cropTooLarge(crop: 10, height: 20, width: 20)) {
      try PSNR.compute(a, a, cropBorder: 10, yChannel: false)
    }
    #expect(throws: MetricError.cropTooLarge(crop: -1, height: 20, width: 20)) {
      try SSIM.compute(a, a, cropBorder: -1, yChannel: false)
    }
    #expect(MetricError.cropTooLarge(crop: 10, height: 20, width: 20).description
      == "crop border 10 is too large for a 20x20 image (HxW)")
  }

  @Test func ssimRejectsImagesSmallerThanTheWindow() throws {
    let a = Tensor(shape: [3, 20, 20])
    // 20 - 2*5 = 10 < 11.
    #expect(throws: MetricError.imageTooSmall(metric: "SSIM", minimum: "11x11", actual: "10x10")) {
      try SSIM.compute(a, a, cropBorder: 5, yChannel: false)
    }
    let b = Tensor(shape: [1, 11, 30])
    #expect(try SSIM.compute(b, b, cropBorder: 0, yChannel: false) == 1)
    #expect(throws: MetricError.imageTooSmall(metric: "SSIM", minimum: "11x11", actual: "10x30")) {
      try SSIM.compute(Tensor(shape: [1, 10, 30]), Tensor(shape: [1, 10, 30]), cropBorder: 0, yChannel: false)
    }
  }
}

/// Y channel and error map vs naive Double formulas.
@Suite struct ColorSpaceAndErrorMapTests {
  @Test func yChannelIsMatlabStudioLuma() {
    let rgb = Tensor(shape: [3, 1, 3], data: [0, 255, 10, 0, 255, 200, 0, 255, 30])
    let y = ColorSpace.yChannel(rgb)
    #expect(y.shape == [1, 1, 3])
    #expect(y.data[0] == 16 && abs(y.data[1] - 235) < 1e-4)
    let expected = 16 + (65.481 * 10 + 128.553 * 200 + 24.966 * 30) / 255
    #expect(abs(Double(y.data[2]) - expected) < 1e-4)
  }

  @Test func quantizedLevelsRoundHalfUp() {
    let t = ColorSpace.quantized255(Tensor(shape: [1, 1, 4], data: [-0.1, 0.5 / 255, 127.4 / 255, 2]))
    #expect(t.data == [0, 1, 127, 255])
  }

  @Test func errorMapIsMeanAbsoluteDifference() {
    let a = Fixture.random255([3, 5, 7], seed: 1), b = Fixture.random255([3, 5, 7], seed: 2)
    let m = ErrorMap.absolute(a, b)
    #expect(m.shape == [1, 5, 7])
    for y in 0..<5 {
      for x in 0..<7 {
        let e = (0..<3).map { abs(Double(a[$0, y, x]) - Double(b[$0, y, x])) }.reduce(0, +) / 3
        #expect(abs(Double(m[0, y, x]) - e) < 1e-4)
      }
    }
  }
}
