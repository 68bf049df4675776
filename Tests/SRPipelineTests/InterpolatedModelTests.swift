import Foundation
import SRFormats
import SRModels
@testable import SRPipeline
import SRTensor
import Testing

/// The viewer's interpolated networks as pipeline models: built from two checkpoints, keyed in the
/// output cache by both parents and alpha, and run on a region first.
@Suite struct InterpolatedModelTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("SRModelsTests/Fixtures")

  /// The SRVGG fixture as parent a, and b: its weights halved, written beside it in a scratch folder.
  func parents() throws -> (EvalModel, EvalModel, b: String) {
    let a = Self.fixtures.appendingPathComponent("srvgg_x4.safetensors").path
    var dict = try ModelLoader.load(path: a).network.stateDict()
    for k in dict.keys { dict[k] = Tensor(shape: dict[k]!.shape, data: dict[k]!.data.map { $0 / 2 }) }
    let b = try scratchFolder("interpolated-\(UUID().uuidString)") + "/half.safetensors"
    try AtomicFile.write(try Safetensors.write(dict), to: b)
    return (try EvalModel.load(path: a, name: "a"), try EvalModel.load(path: b, name: "b"), b)
  }

  func image() -> EvalImage {
    let hr = Tensor(channels: 3, height: 48, width: 40, repeating: 0.5)
    var rng = SystemRandomNumberGenerator()
    let lr = Tensor(shape: [3, 12, 10], data: (0..<360).map { _ in Float.random(in: 0...1, using: &rng) })
    return EvalImage(name: "noise.png", hr: hr, lr: lr, scale: 4)
  }

  @Test func alphaZeroRunsAsTheFirstParentAndKeysDifferByAlpha() throws {
    let (a, b, _) = try parents()
    let evaluator = Evaluator(metrics: MetricSet(selection: []), cache: nil, cropBorder: 4)
    let eval = image()
    let zero = try EvalModel.interpolated(a, b, alpha: 0, name: "A<->base α=0.0")
    #expect(zero.name == "A<->base α=0.0")
    #expect(try evaluator.output(zero, eval).0 == (try evaluator.output(a, eval).0))
    let half = try EvalModel.interpolated(a, b, alpha: 0.5, name: "h")
    #expect(try evaluator.output(half, eval).0 != (try evaluator.output(a, eval).0))
    guard case .network(_, _, let keyA) = a, case .network(_, _, let keyB) = b, case .network(_, _, let key0) = zero,
          case .network(_, _, let key5) = half else { Issue.record("not networks"); return }
    #expect(key0 == OutputCache.interpolationKey(a: keyA, b: keyB, alpha: 0))
    #expect(Set([keyA, keyB, key0, key5]).count == 4)
    #expect(key5.count == 24)
  }

  @Test func theBicubicBaselineIsNotAParent() throws {
    let (a, _, _) = try parents()
    #expect(throws: EvalError.badPair("bicubic is not a network (the bicubic baseline), so it has no weights to interpolate")) {
      try EvalModel.interpolated(a, .bicubic, alpha: 0.5, name: "x")
    }
  }

  /// The HR crop is rounded out to whole LR pixels; with the upscaler's 16-pixel context the tiny
  /// SRVGG (4 convolutions) gives the whole image's values there.
  @Test func aRegionFirstMatchesTheWholeImage() throws {
    let (a, b, _) = try parents()
    let model = try EvalModel.interpolated(a, b, alpha: 0.3, name: "m")
    let evaluator = Evaluator(metrics: MetricSet(selection: []), cache: nil, cropBorder: 4)
    let eval = image()
    let part = try evaluator.regionOutput(model, eval, x: 9, y: 5, width: 14, height: 10)
    #expect((part.x, part.y, part.width, part.height) == (8, 4, 16, 12))
    let whole = try evaluator.output(model, eval).0
    let expected = TensorRegion.crop(whole, y: 4, x: 8, height: 12, width: 16)
    #expect(zip(part.output.data, expected.data).allSatisfy { abs($0 - $1) < 1e-5 })
  }
}
