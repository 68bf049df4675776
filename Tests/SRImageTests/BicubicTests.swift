import SRTensor
import Testing

@testable import SRImage

/// The [3, 13, 11] random input of the goldens (SeededGenerator seed 1, see the script).
let randomImage = Tensor(shape: [3, 13, 11], data: seededUnitFloats(seed: 1, count: 3 * 13 * 11))

/// Per-scale golden data from BicubicGoldens.swift.
struct ScaleCase: Sendable, CustomStringConvertible {
  let scale: Double, shape: [Int], stride: Int, values: [Double], sums: [Double]
  var description: String { "scale \(scale)" }
}

@Suite struct BicubicTests {
  /// Tolerance for Float32 resize vs the float64 NumPy reference, values in [0, 1] (brief: 1e-5).
  static let tolerance = 1e-5

  @Test func rampHalfMatchesSpecAndReference() {
    let ramp = Tensor(shape: [1, 8, 8], data: (0..<64).map { Float($0) / 63 })
    let out = Resize.bicubic(ramp, scale: 0.5)
    #expect(out.shape == [1, 4, 4])
    #expect(maxAbsDiff(out.data, BicubicGoldens.ramp8Half) <= Self.tolerance)
    // SR-SPEC §3.4 quotes the first row to 6 decimals.
    #expect(maxAbsDiff(Array(out.data[0..<4]), [0.064174, 0.096540, 0.128658, 0.161024]) <= 1e-6)
  }

  static let scaleCases: [ScaleCase] = [
    ScaleCase(scale: 0.25, shape: BicubicGoldens.quarterShape, stride: BicubicGoldens.quarterStride,
              values: BicubicGoldens.quarter, sums: BicubicGoldens.quarterSums),
    ScaleCase(scale: 0.5, shape: BicubicGoldens.halfShape, stride: BicubicGoldens.halfStride,
              values: BicubicGoldens.half, sums: BicubicGoldens.halfSums),
    ScaleCase(scale: 1.0 / 3, shape: BicubicGoldens.thirdShape, stride: BicubicGoldens.thirdStride,
              values: BicubicGoldens.third, sums: BicubicGoldens.thirdSums),
    ScaleCase(scale: 2, shape: BicubicGoldens.x2Shape, stride: BicubicGoldens.x2Stride,
              values: BicubicGoldens.x2, sums: BicubicGoldens.x2Sums),
    ScaleCase(scale: 4, shape: BicubicGoldens.x4Shape, stride: BicubicGoldens.x4Stride,
              values: BicubicGoldens.x4, sums: BicubicGoldens.x4Sums),
  ]

  @Test(arguments: scaleCases)
  func randomImageMatchesNumPyReference(_ item: ScaleCase) {
    let out = Resize.bicubic(randomImage, scale: item.scale)
    #expect(out.shape == item.shape)
    let sampled = Swift.stride(from: 0, to: out.count, by: item.stride).map { out.data[$0] }
    #expect(sampled.count == item.values.count)
    let err = maxAbsDiff(sampled, item.values)
    #expect(err <= Self.tolerance, "max abs error \(err)")
    // Channel sums cover every element; Float accumulation over <= 2288 values stays < 1e-3.
    let plane = out.count / 3
    let sums = (0..<3).map { c in out.data[c * plane..<(c + 1) * plane].reduce(0.0) { $0 + Double($1) } }
    #expect(zip(sums, item.sums).allSatisfy { abs($0 - $1) <= 1e-3 }, "\(sums) vs \(item.sums)")
  }

  @Test func explicitSizeMatchesScaleWhenExact() {
    #expect(Resize.bicubic(randomImage, outHeight: 26, outWidth: 22)
            == Resize.bicubic(randomImage, scale: 2))
    let ramp = Tensor(shape: [1, 8, 8], data: (0..<64).map { Float($0) / 63 })
    #expect(Resize.bicubic(ramp, outHeight: 4, outWidth: 4) == Resize.bicubic(ramp, scale: 0.5))
  }

  @Test(arguments: [0.25, 0.5, 1.0 / 3, 0.7, 1, 1.5, 3])
  func constantStaysConstantEvenForTinyInputs(scale: Double) {
    // 2x3 at x0.25 needs taps several mirrors away: weights must still sum to 1.
    let out = Resize.bicubic(Tensor(shape: [2, 2, 3], repeating: 0.375), scale: scale)
    #expect(out.data.allSatisfy { abs($0 - 0.375) <= 1e-6 })
    #expect(out.shape[1] == Int((2 * scale).rounded(.up)) && out.shape[2] == Int((3 * scale).rounded(.up)))
  }

  @Test func modcropKeepsTopLeft() {
    let x = Tensor(shape: [2, 7, 5], data: (0..<70).map(Float.init))
    let y = Degrade.modcrop(x, multiple: 3)
    #expect(y.shape == [2, 6, 3])
    for c in 0..<2 { for r in 0..<6 { for q in 0..<3 { #expect(y[c, r, q] == x[c, r, q]) } } }
    #expect(Degrade.modcrop(x, multiple: 1) == x)
  }

  @Test(arguments: [(4, [3, 3, 3], BicubicGoldens.lrX4Levels), (3, [3, 5, 4], BicubicGoldens.lrX3Levels)])
  func makeLRMatchesNumPyLevels(scale: Int, shape: [Int], levels: [Double]) {
    let hr = Tensor(shape: [3, 15, 13], data: seededUnitFloats(seed: 2, count: 3 * 15 * 13))
    let lr = Degrade.makeLR(hr, scale: scale)
    #expect(lr.shape == shape)
    #expect(lr.data == levels.map { Float($0) / 255 })
  }
}
