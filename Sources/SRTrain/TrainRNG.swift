/// Weight initialisation schemes (SR-SPEC §1.7).
public enum InitScheme: String, Codable, Sendable, CaseIterable {
  /// PyTorch default: kaiming_uniform(a=√5) → U(±1/√fan_in) for weight and bias.
  case pytorch
  /// He normal, fan_in: N(0, √(2/fan_in)), bias 0.
  case msra
  /// He normal × 0.1, bias 0 (ESRGAN "smaller initialization").
  case msra01 = "msra0.1"
}

/// SplitMix64-seeded xoshiro256** generator: the trainer's only randomness source.
public struct TrainRNG: RandomNumberGenerator, Sendable {
  private var s: (UInt64, UInt64, UInt64, UInt64)

  /// A generator whose whole sequence is determined by `seed`.
  public init(seed: UInt64) {
    var x = seed
    func split() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s = (split(), split(), split(), split())
  }

  /// The four state words (for checkpoints).
  public var state: [UInt64] { [s.0, s.1, s.2, s.3] }

  /// Restores a generator from `state` (four words, not all zero).
  public init?(state w: [UInt64]) {
    guard w.count == 4, w.contains(where: { $0 != 0 }) else { return nil }
    s = (w[0], w[1], w[2], w[3])
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotl(s.1 &* 5, 7) &* 9
    let t = s.1 << 17
    s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3; s.2 ^= t
    s.3 = rotl(s.3, 45)
    return result
  }

  private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// Uniform double in [0, 1) from the top 53 bits.
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// Uniform integer in `0..<n` (n > 0), by multiply-shift (tiny bias irrelevant here, fully portable).
  public mutating func below(_ n: Int) -> Int { Int((UInt64(n).multipliedFullWidth(by: next())).high) }

  /// Standard normal via Box–Muller (uses two uniforms per value).
  public mutating func normal() -> Double {
    let u1 = max(unit(), 0x1p-60), u2 = unit()
    return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
  }
}

@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }

import Foundation
