/// The project-wide float → integer sample rule: clamp to [0, 1], then round half up.
///
/// `v = floor(x * maxval + 0.5)` computed in Double, with NaN mapped to 0. This matches
/// realesrgan-ncnn-vulkan's "+0.5 then floor" (SR-SPEC §2.9); it differs from NumPy's
/// `round` (half to even) only on exact .5 ties, which a clamped `x * 255` of a Float rarely hits.
public enum Quantize {
  /// Quantises `x` to 0...255 (round half up after clamping to [0, 1]).
  @inlinable public static func toUInt8(_ x: Float) -> UInt8 {
    UInt8(level(x, maxval: 255))
  }

  /// Quantises `x` to 0...65535 (round half up after clamping to [0, 1]).
  @inlinable public static func toUInt16(_ x: Float) -> UInt16 {
    UInt16(level(x, maxval: 65535))
  }

  /// `floor(clamp(x, 0, 1) * maxval + 0.5)` as an integer level; NaN gives 0.
  @inlinable public static func level(_ x: Float, maxval: Int) -> Int {
    guard x > 0 else { return 0 }  // also catches NaN
    guard x < 1 else { return maxval }
    return Int((Double(x) * Double(maxval) + 0.5).rounded(.down))
  }
}
