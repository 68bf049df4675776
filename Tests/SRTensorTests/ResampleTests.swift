import SRTensor
import SRTestSupport
import Testing

/// Small CHW shapes for resampling: single pixel, one channel, odd sizes.
let resampleShapes: [[Int]] = [[1, 1, 1], [1, 5, 7], [3, 13, 9], [2, 4, 6]]

private func expectClose(_ actual: Tensor, _ shape: [Int], _ expected: [Double], _ label: String) {
  #expect(actual.shape == shape, "\(label): shape \(actual.shapeDescription), expected \(shape)")
  guard actual.count == expected.count else { return }
  let d = Deviation(actual.data, expected)
  #expect(d.error <= Tolerance.opElement, "\(label): \(d)")
}

@Suite struct ResampleTests {
  @Test(arguments: resampleShapes, [1, 2, 3, 4])
  func upsamplingMatchesReference(_ shape: [Int], factor: Int) {
    let x = seededTensor(shape, seed: 40)
    let out = [shape[0], shape[1] * factor, shape[2] * factor]
    expectClose(Ops.upsampleNearest(x, factor: factor), out, Reference.upsampleNearest(x, factor: factor),
                "nearest x\(factor) \(shape)")
    expectClose(Ops.upsampleBilinear(x, factor: factor), out, Reference.upsampleBilinear(x, factor: factor),
                "bilinear x\(factor) \(shape)")
  }

  /// PyTorch: F.interpolate(tensor([[[[1., 2.]]]]), scale_factor=2, mode='bilinear',
  /// align_corners=False) gives [1, 1.25, 1.75, 2] on both rows (clamp at the left border).
  @Test func bilinearMatchesPyTorchOnKnownRow() {
    let y = Ops.upsampleBilinear(Tensor(shape: [1, 1, 2], data: [1, 2]), factor: 2)
    #expect(y.shape == [1, 2, 4])
    #expect(y.data == [1, 1.25, 1.75, 2, 1, 1.25, 1.75, 2])
  }

  @Test(arguments: [([4, 3, 5], 2), ([18, 2, 1], 3), ([1, 1, 1], 1), ([32, 5, 7], 4)])
  func pixelShuffleMatchesIndexFormula(_ shape: [Int], factor: Int) {
    let x = seededTensor(shape, seed: 41)
    let out = [shape[0] / (factor * factor), shape[1] * factor, shape[2] * factor]
    let y = Ops.pixelShuffle(x, factor: factor)
    expectClose(y, out, Reference.pixelShuffle(x, factor: factor), "pixelShuffle \(shape) r\(factor)")
    #expect(Ops.pixelUnshuffle(y, factor: factor) == x, "unshuffle(shuffle(x)) == x")
  }

  @Test(arguments: [([1, 4, 6], 2), ([3, 9, 6], 3), ([2, 8, 4], 4), ([1, 1, 1], 1)])
  func pixelUnshuffleMatchesIndexFormula(_ shape: [Int], factor: Int) {
    let x = seededTensor(shape, seed: 42)
    let out = [shape[0] * factor * factor, shape[1] / factor, shape[2] / factor]
    expectClose(Ops.pixelUnshuffle(x, factor: factor), out, Reference.pixelUnshuffle(x, factor: factor),
                "pixelUnshuffle \(shape) s\(factor)")
  }

  @Test(arguments: [([3, 13, 9], 3, 2), ([1, 5, 7], 2, 2), ([2, 3, 3], 3, 2), ([1, 1, 1], 1, 1),
                    ([2, 11, 10], 3, 3)])
  func maxPoolMatchesReference(_ shape: [Int], kernel: Int, stride: Int) {
    let x = seededTensor(shape, seed: 43)
    let out = [shape[0], (shape[1] - kernel) / stride + 1, (shape[2] - kernel) / stride + 1]
    expectClose(Ops.maxPool2d(x, kernel: kernel, stride: stride), out,
                Reference.maxPool(x, kernel: kernel, stride: stride), "maxPool \(shape) k\(kernel) s\(stride)")
  }
}
