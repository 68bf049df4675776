import Foundation
import SRFormats
import SRTensor
import Testing

/// Loads SRFormats fixtures and the goldens written by Scripts/make_pth_fixtures.py / make_npz_fixture.py.
enum FormatsFixtures {
  static func url(_ name: String) throws -> URL {
    try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
  }

  static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: try url(name))) }

  static func json(_ name: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: try url(name))) as? [String: Any])
  }

  /// Per-tensor golden summary: shape, element count, Double sums and sampled values.
  struct Summary {
    var shape: [Int]
    var sum: Double
    var absSum: Double
    var samples: [(Int, Double)]
  }

  static func summaries() throws -> [Summary] {
    let tensors = try #require(try json("expected_pth.json")["tensors"] as? [[String: Any]])
    return try tensors.map { t in
      let samples = try #require(t["samples"] as? [[Double]]).map { (Int($0[0]), $0[1]) }
      return Summary(shape: try #require(t["shape"] as? [Int]), sum: try #require(t["sum"] as? Double),
                     absSum: try #require(t["abs_sum"] as? Double), samples: samples)
    }
  }

  static func keys(_ field: String) throws -> [String] {
    try #require(try json("expected_pth.json")[field] as? [String])
  }
}

/// Asserts that `tensor` matches a golden summary: exact shape, sums to 1e-9 (Float values summed in
/// Double in the same order as Python), samples bit-exact as Float.
func expectMatches(_ tensor: Tensor?, _ s: FormatsFixtures.Summary, key: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
  guard let t = tensor else {
    Issue.record("missing tensor '\(key)'", sourceLocation: sourceLocation)
    return
  }
  #expect(t.shape == s.shape, "shape of \(key)", sourceLocation: sourceLocation)
  let sum = t.data.reduce(0.0) { $0 + Double($1) }
  let absSum = t.data.reduce(0.0) { $0 + abs(Double($1)) }
  #expect(abs(sum - s.sum) <= 1e-9, "sum of \(key): \(sum) vs \(s.sum)", sourceLocation: sourceLocation)
  #expect(abs(absSum - s.absSum) <= 1e-9, "abs sum of \(key)", sourceLocation: sourceLocation)
  for (i, v) in s.samples where i < t.count {
    // Goldens are float32 values; compare as Float because Foundation's JSON number parsing on
    // Linux can be off in the last double ulp.
    #expect(t.data[i] == Float(v), "\(key)[\(i)]", sourceLocation: sourceLocation)
  }
}
