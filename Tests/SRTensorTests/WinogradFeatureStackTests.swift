import SRTestSupport
import Testing

@testable import SRTensor

/// The dense-block path: convs reading growing prefixes of a `WinogradFeatureStack`, checked
/// against the naive Double convolution of the explicitly concatenated maps.
/// Tolerance: `Tolerance.opElement` (1e-4, abs-or-rel per element), as for the plain kernel.
@Suite struct WinogradFeatureStackTests {
  /// (input channels, growth, height, width, chunk budget in bytes; 1 = one tile row per chunk)
  static let shapes: [(Int, Int, Int, Int, Int)] = [
    (1, 1, 1, 1, Conv3x3Kernel.chunkBudgetBytes),
    (4, 3, 5, 7, Conv3x3Kernel.chunkBudgetBytes),   // one partial tile row and column
    (8, 4, 13, 9, 1),                                // 4 chunks, odd border tiles
    (6, 2, 3, 70, Conv3x3Kernel.chunkBudgetBytes),  // 18 tiles per row: full + tail SIMD group
    (16, 8, 17, 33, 1),
    (8, 4, 9, 260, 1),                               // 65 tiles per row in 5 blocks, chunks start mid-row
  ]

  static func weights(out: Int, in cin: Int, seed: UInt64) -> Tensor {
    let scale = Float(1 / (9 * Double(cin)).squareRoot())
    var w = seededTensor([out, cin, 3, 3], seed: seed)
    w.data = w.data.map { $0 * scale }
    return w
  }

  @Test(arguments: shapes.indices, WinogradKernelsTests.isas)
  func denseBlockMatchesConcatenatedReference(_ index: Int, isa: WinogradKernels.ISA) throws {
    let (nf, gc, h, w, budget) = Self.shapes[index]
    let x = seededTensor([nf, h, w], seed: 21)
    let stack = WinogradFeatureStack(height: h, width: w, capacity: nf + 3 * gc)
    stack.append(x, isa: isa)
    var concat = x
    for k in 0..<3 {
      let weight = Self.weights(out: gc, in: nf + k * gc, seed: 30 + UInt64(k))
      let bias = seededTensor([gc], seed: 40 + UInt64(k))
      let kernel = Conv3x3Kernel(weight: weight, bias: bias)
      let y = stack.convolve(kernel, activation: .leakyReLU(0.2), residual: nil, residualScale: 1, budget: budget,
                             isa: isa)
      let ref = Reference.conv2d(concat, weight: weight, bias: bias, stride: 1, padding: 1, activation: .leakyReLU(0.2))
      try #require(y.shape == ref.shape)
      let d = Deviation(y.data, ref.data)
      #expect(d.error <= Tolerance.opElement, "conv \(k + 1) of [\(nf),\(h),\(w)]: \(d)")
      stack.append(y, isa: isa)
      concat = Ops.concat([concat, y])
    }
    // The last conv reads everything and adds 0.2 x itself to the block input (fused epilogue).
    let weight = Self.weights(out: nf, in: nf + 3 * gc, seed: 50)
    let bias = seededTensor([nf], seed: 51)
    let kernel = Conv3x3Kernel(weight: weight, bias: bias)
    let y = stack.convolve(kernel, activation: .none, residual: x, residualScale: 0.2, budget: budget, isa: isa)
    let conv = Reference.conv2d(concat, weight: weight, bias: bias, stride: 1, padding: 1, activation: .none)
    let ref = zip(conv.data, x.data).map { 0.2 * $0 + Double($1) }
    let d = Deviation(y.data, ref)
    #expect(d.error <= Tolerance.opElement, "conv 4 + residual of [\(nf),\(h),\(w)]: \(d)")
  }

  @Test func aConvMayReadAPrefixOfTheStack() throws {
    let x = seededTensor([5, 9, 11], seed: 60)
    let extra = seededTensor([3, 9, 11], seed: 61)
    let stack = WinogradFeatureStack(height: 9, width: 11, capacity: 8)
    stack.append(x)
    stack.append(extra)
    let weight = Self.weights(out: 2, in: 5, seed: 62)
    let y = stack.convolve(Conv3x3Kernel(weight: weight, bias: nil))
    let ref = Reference.conv2d(x, weight: weight, bias: nil, stride: 1, padding: 1, activation: .none)
    #expect(Deviation(y.data, ref.data).error <= Tolerance.opElement)
  }
}
