import SRTensor
import SRTestSupport
import Testing

@testable import SRModels

/// Load-time rewrites of a convolution that `forward` runs instead of the checkpoint's layers,
/// against the plain ops they replace (`Ops.upsampleNearest`, `Ops.conv2d`, `Ops.batchNorm`, each
/// tested against its own reference). Tolerance: `Tolerance.opElement` (1e-4 abs-or-rel).
@Suite struct LayerRewriteTests {
  static func tensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var g = SeededGenerator(seed: seed)
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, data: (0..<n).map { _ in Float.random(in: -1...1, using: &g) * scale })
  }

  /// conv(upsample x2(x)) == PixelShuffle(2) of the rewritten 4x-output conv of x, at odd sizes.
  @Test(arguments: [(3, 5, 7, 4), (8, 1, 1, 2), (16, 6, 9, 16)])
  func nearestUpsampledConvIsAShuffledConvOfTheInput(_ shape: (Int, Int, Int, Int)) throws {
    let (cin, h, w, cout) = shape
    let x = Self.tensor([cin, h, w], seed: 1)
    let conv = Conv2d(weight: Self.tensor([cout, cin, 3, 3], seed: 2, scale: 0.3), bias: Self.tensor([cout], seed: 3))
    let want = Ops.conv2d(Ops.upsampleNearest(x, factor: 2), weight: conv.weight, bias: conv.bias, stride: 1,
                          padding: 1, activation: .leakyReLU(0.2))
    let rewritten = conv.onNearestUpsampledByTwo()
    #expect(rewritten.weight.shape == [4 * cout, cin, 3, 3])
    let got = rewritten(x, .leakyReLU(0.2), pixelShuffle: 2)
    try #require(got.shape == want.shape)
    let d = Deviation(got.data, want.data.map(Double.init))
    #expect(d.error <= Tolerance.opElement, "\(shape): \(d)")
  }

  @Test func foldedBatchNormMatchesConvThenBatchNorm() throws {
    let x = Self.tensor([6, 5, 9], seed: 4)
    let conv = Conv2d(weight: Self.tensor([5, 6, 3, 3], seed: 5, scale: 0.3), bias: Self.tensor([5], seed: 6))
    var variance = Self.tensor([5], seed: 7)
    variance.data = variance.data.map { abs($0) + 0.1 }
    let bn = BatchNorm2d(weight: Self.tensor([5], seed: 8), bias: Self.tensor([5], seed: 9),
                         runningMean: Self.tensor([5], seed: 10), runningVar: variance)
    let want = bn(conv(x))
    let got = conv.foldingBatchNorm(bn)(x)
    let d = Deviation(got.data, want.data.map(Double.init))
    #expect(d.error <= Tolerance.opElement, "\(d)")
  }
}
