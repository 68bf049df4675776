import Foundation
import SRImage
import SRMetrics
import SRTensor
import Testing

/// Fixture and asset helpers shared by the metric tests.
enum Fixture {
  /// A committed fixture PNG as 8-bit levels on the 0..255 scale, `[3, H, W]`.
  static func rgb255(_ name: String) throws -> Tensor {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "png", subdirectory: "Fixtures"))
    return ColorSpace.quantized255(try PNGCodec.read(contentsOf: url.path).rgb)
  }

  /// A fixture in [0, 1] (exact levels / 255), `[3, H, W]`.
  static func rgb01(_ name: String) throws -> Tensor {
    let t = try rgb255(name)
    return Tensor(shape: t.shape, data: t.data.map { $0 / 255 })
  }

  /// Whether the real assets are available (`SRSCOPE_ASSETS` set).
  static var hasAssets: Bool { ProcessInfo.processInfo.environment["SRSCOPE_ASSETS"] != nil }

  /// The asset locator from the environment.
  static var assets: AssetLocator { AssetLocator() }

  /// Seeded image on 0..255 levels.
  static func random255(_ shape: [Int], seed: UInt64) -> Tensor {
    var g = SeededGeneratorBox(seed: seed)
    return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in Float(g.next() % 256) })
  }
}

/// SplitMix64 (same as SRTestSupport's) kept local so integer draws are explicit.
struct SeededGeneratorBox {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// The full-reference pairs with goldens: (reference fixture, distorted fixture, golden table).
let goldenPairs: [(String, String, [String: Double])] = [
  ("astronaut64", "astronaut64_bicubic", MetricGoldens.astronaut64_bicubic),
  ("astronaut64", "astronaut64_noisy", MetricGoldens.astronaut64_noisy),
  ("coffee100", "coffee100_bicubic", MetricGoldens.coffee100_bicubic),
  ("coffee100", "coffee100_noisy", MetricGoldens.coffee100_noisy),
]
