/// The one checked-arithmetic path for sizes, counts, strides and offsets that come from a file, a
/// flag, a manifest or a recipe: an overflow is `nil` (for the caller's own typed error) or a
/// `SizeOverflow` naming the field, never a trap.
public enum Checked {
  /// `a * b`, or nil on overflow.
  @inlinable public static func product(_ a: Int, _ b: Int) -> Int? {
    let (p, o) = a.multipliedReportingOverflow(by: b)
    return o ? nil : p
  }

  /// The product of `factors` (1 for none), or nil on overflow.
  @inlinable public static func product(_ factors: [Int]) -> Int? {
    var p = 1
    for f in factors {
      guard let next = product(p, f) else { return nil }
      p = next
    }
    return p
  }

  /// `a + b`, or nil on overflow.
  @inlinable public static func sum(_ a: Int, _ b: Int) -> Int? {
    let (s, o) = a.addingReportingOverflow(b)
    return o ? nil : s
  }

  /// The product of `factors`, or an error naming `field`.
  public static func product(_ factors: [Int], field: String) throws(SizeOverflow) -> Int {
    guard let p = product(factors) else { throw SizeOverflow(field: field, factors: factors) }
    return p
  }
}

/// A size read from an input does not fit a 64-bit integer.
public struct SizeOverflow: Error, CustomStringConvertible, Equatable, Sendable {
  public var field: String
  public var factors: [Int]
  public init(field: String, factors: [Int]) { self.field = field; self.factors = factors }
  public var description: String {
    "\(field) overflows: \(factors.map(String.init).joined(separator: " x ")) does not fit a 64-bit size"
  }
}
