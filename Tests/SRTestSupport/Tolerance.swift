import SRTensor

/// Named tolerances used across test targets, each with where the number comes from.
public enum Tolerance {
  /// Float32 op vs naive Double reference, abs-or-rel per element (ncnn's fp32 epsilon is 1e-3;
  /// our kernels hold 1e-4 on the shapes tested).
  public static let opElement: Double = 1e-4
  /// Model output vs golden float output on [0, 1] (STYLE.md §2.7).
  public static let modelOutput: Double = 1e-3
}

/// The worst element-wise deviation between a Float result and a Double reference.
public struct Deviation: CustomStringConvertible {
  /// Index of the worst element.
  public var index: Int
  /// Our value at that index.
  public var actual: Float
  /// The reference value at that index.
  public var expected: Double
  /// max over elements of |a - e| / max(1, |e|).
  public var error: Double

  /// Compares `actual` against `expected` (same count required).
  public init(_ actual: [Float], _ expected: [Double]) {
    precondition(actual.count == expected.count, "count \(actual.count) vs \(expected.count)")
    var worst = 0, worstErr = 0.0
    for i in actual.indices {
      let e = abs(Double(actual[i]) - expected[i]) / max(1, abs(expected[i]))
      if e > worstErr || e.isNaN { worst = i; worstErr = e.isNaN ? .infinity : e }
    }
    index = worst
    self.actual = actual.isEmpty ? 0 : actual[worst]
    self.expected = expected.isEmpty ? 0 : expected[worst]
    error = worstErr
  }

  public var description: String {
    "worst error \(error) at index \(index): got \(actual), expected \(expected)"
  }
}
