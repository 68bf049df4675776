import Foundation
import SRTensor
import SRTestSupport

/// Loads and describes the committed PNG fixtures (see Fixtures/README.md).
enum Fixtures {
  /// The bytes of `Fixtures/<name>.<ext>`.
  static func bytes(_ name: String, ext: String = "png") throws -> [UInt8] {
    [UInt8](try Data(contentsOf: url(name, ext: ext)))
  }

  /// The location of `Fixtures/<name>.<ext>`.
  static func url(_ name: String, ext: String) throws -> URL {
    guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures") else {
      throw CocoaError(.fileNoSuchFile)
    }
    return url
  }

  /// Restates `sample()` of Scripts/image_reference.py: file sample of channel c at (y, x).
  static func sample(_ c: Int, _ y: Int, _ x: Int, bits: Int) -> Int {
    (40503 * c + 12345 * y + 4099 * x + 1) % (1 << bits)
  }

  /// Restates `palette_entry()`.
  static func paletteEntry(_ k: Int, _ c: Int) -> Int { (k * 37 + c * 101 + 11) % 256 }

  /// Restates `palette_alpha()`.
  static func paletteAlpha(_ k: Int) -> Int { (k * 53 + 7) % 256 }
}

/// `count` floats Float(next() >> 40) / 2^24 in [0, 1), as `splitmix_floats` in the script.
func seededUnitFloats(seed: UInt64, count: Int) -> [Float] {
  var g = SeededGenerator(seed: seed)
  return (0..<count).map { _ in Float(g.next() >> 40) / 16_777_216 }
}

/// Max |a - b| over two equally long arrays (infinity if lengths differ).
func maxAbsDiff(_ a: [Float], _ b: [Double]) -> Double {
  guard a.count == b.count else { return .infinity }
  return zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
}
