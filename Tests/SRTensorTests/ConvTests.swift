import SRTestSupport
import Testing

@testable import SRTensor

/// One labelled convolution case: shapes, stride, padding, bias, activation, im2col budget.
struct ConvCase: CustomTestStringConvertible, Sendable {
  let label: String
  let cin, h, w, cout, kh, kw, stride, padding: Int
  var hasBias = true
  var activation: Activation = .none
  /// im2col budget in bytes; 1 forces one output row per chunk.
  var budget = Ops.im2colBudgetBytes

  var testDescription: String {
    "\(label): [\(cin),\(h),\(w)] * [\(cout),\(cin),\(kh),\(kw)] s\(stride) p\(padding)"
      + " bias=\(hasBias) \(activation) budget=\(budget)"
  }
}

@Suite struct ConvTests {
  static let cases: [ConvCase] = [
    ConvCase(label: "1x1 pointwise GEMM path", cin: 3, h: 5, w: 7, cout: 5, kh: 1, kw: 1, stride: 1, padding: 0),
    ConvCase(label: "1x1 with padding 1 (border zeros)", cin: 3, h: 5, w: 7, cout: 5, kh: 1, kw: 1, stride: 1, padding: 1),
    ConvCase(label: "1x1 stride 4", cin: 2, h: 13, w: 9, cout: 3, kh: 1, kw: 1, stride: 4, padding: 0),
    ConvCase(label: "3x3 same on a 1x1 image, 1 channel", cin: 1, h: 1, w: 1, cout: 1, kh: 3, kw: 3, stride: 1, padding: 1),
    ConvCase(label: "3x3 same 3->5 odd 13x9", cin: 3, h: 13, w: 9, cout: 5, kh: 3, kw: 3, stride: 1, padding: 1),
    ConvCase(label: "3x3 no bias, 1 channel 5x7", cin: 1, h: 5, w: 7, cout: 4, kh: 3, kw: 3, stride: 1, padding: 1,
             hasBias: false),
    ConvCase(label: "3x3 valid (padding 0)", cin: 4, h: 6, w: 5, cout: 3, kh: 3, kw: 3, stride: 1, padding: 0),
    ConvCase(label: "3x3 stride 2 padding 1", cin: 3, h: 13, w: 9, cout: 5, kh: 3, kw: 3, stride: 2, padding: 1),
    ConvCase(label: "3x3 padding 2 wider than kernel reach", cin: 2, h: 5, w: 7, cout: 3, kh: 3, kw: 3, stride: 1, padding: 2),
    ConvCase(label: "5x5 padding 2 (LPIPS AlexNet conv2 style)", cin: 3, h: 9, w: 11, cout: 4, kh: 5, kw: 5, stride: 1, padding: 2),
    ConvCase(label: "11x11 stride 4 padding 2 (AlexNet conv1)", cin: 3, h: 31, w: 27, cout: 4, kh: 11, kw: 11, stride: 4, padding: 2),
    ConvCase(label: "non-square 3x1 kernel", cin: 2, h: 7, w: 5, cout: 3, kh: 3, kw: 1, stride: 1, padding: 1),
    ConvCase(label: "fused bias + ReLU", cin: 3, h: 13, w: 9, cout: 5, kh: 3, kw: 3, stride: 1, padding: 1,
             activation: .relu),
    ConvCase(label: "fused bias + LeakyReLU 0.2", cin: 8, h: 6, w: 7, cout: 6, kh: 3, kw: 3, stride: 1, padding: 1,
             activation: .leakyReLU(0.2)),
    ConvCase(label: "fused LeakyReLU on pointwise path", cin: 6, h: 5, w: 7, cout: 4, kh: 1, kw: 1, stride: 1, padding: 0,
             activation: .leakyReLU(0.1)),
    ConvCase(label: "one output row per chunk (13 chunks)", cin: 3, h: 13, w: 9, cout: 5, kh: 3, kw: 3, stride: 1, padding: 1,
             budget: 1),
    ConvCase(label: "uneven chunks of 2 rows, stride 2", cin: 4, h: 11, w: 10, cout: 3, kh: 3, kw: 3, stride: 2, padding: 1,
             activation: .leakyReLU(0.2), budget: 4 * 36 * 5 * 2),
    ConvCase(label: "RRDB-like 64->32 at 12x10", cin: 64, h: 12, w: 10, cout: 32, kh: 3, kw: 3, stride: 1, padding: 1,
             activation: .leakyReLU(0.2)),
  ]

  @Test(arguments: cases)
  func matchesNaiveConvolutionAcrossShapes(_ c: ConvCase) throws {
    let x = seededTensor([c.cin, c.h, c.w], seed: 1)
    let weight = seededTensor([c.cout, c.cin, c.kh, c.kw], seed: 2)
    let bias = c.hasBias ? seededTensor([c.cout], seed: 3) : nil
    let y = Ops.conv2d(x, weight: weight, bias: bias, stride: c.stride, padding: c.padding,
                       activation: c.activation, columnBudgetBytes: c.budget)
    let ref = Reference.conv2d(x, weight: weight, bias: bias, stride: c.stride, padding: c.padding,
                               activation: c.activation)
    try #require(y.shape == ref.shape)
    let d = Deviation(y.data, ref.data)
    #expect(d.error <= Tolerance.opElement, "\(c.testDescription): \(d)")
  }

  @Test func publicOverloadsAgreeWithFusedPath() {
    let x = seededTensor([3, 7, 6], seed: 4)
    let weight = seededTensor([5, 3, 3, 3], seed: 5)
    let bias = seededTensor([5], seed: 6)
    let plain = Ops.conv2d(x, weight: weight, bias: bias)
    let fused = Ops.conv2d(x, weight: weight, bias: bias, activation: .leakyReLU(0.2))
    #expect(plain.shape == [5, 7, 6])
    #expect(Ops.leakyReLU(plain, slope: 0.2) == fused)
    #expect(plain.data.contains { $0 < 0 })  // the activation had something to do
  }
}
