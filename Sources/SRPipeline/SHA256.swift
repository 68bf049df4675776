import Foundation
import SRTensor

/// SHA-256 (FIPS 180-4), used to key the on-disk output cache by model and image content.
public enum SHA256 {
  static let k: [UInt32] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]

  /// The digest of `bytes` as 64 lowercase hex digits.
  public static func hex(_ bytes: [UInt8]) -> String {
    var h = Hasher()
    bytes.withUnsafeBytes { h.update($0) }
    return h.hexDigest()
  }

  /// The digest of a file's contents as 64 lowercase hex digits (read as `InputFile` reads inputs).
  /// - Throws: `InputFileError` naming the path.
  public static func hex(contentsOf path: String) throws -> String {
    try hex(InputFile.read(path))
  }

  /// The 32-byte digest of `bytes`.
  public static func digest(_ bytes: [UInt8]) -> [UInt8] {
    var h = Hasher()
    bytes.withUnsafeBytes { h.update($0) }
    return h.finalize()
  }

  /// Incremental hashing: `update` any number of times, then `finalize` once.
  public struct Hasher {
    var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
      (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    var pending: [UInt8] = []
    var length: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    /// Adds bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
      guard let base = bytes.baseAddress, bytes.count > 0 else { return }
      length &+= UInt64(bytes.count)
      var offset = 0
      if !pending.isEmpty {
        let take = min(64 - pending.count, bytes.count)
        pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
        offset = take
        if pending.count == 64 {
          pending.withUnsafeBytes { compress($0.baseAddress!) }
          pending.removeAll(keepingCapacity: true)
        }
      }
      while bytes.count - offset >= 64 {
        compress(base + offset)
        offset += 64
      }
      if offset < bytes.count { pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset)) }
    }

    /// Adds the UTF-8 bytes of `text`.
    public mutating func update(_ text: String) {
      var t = text
      t.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The 32-byte digest (pads and processes the last block).
    public mutating func finalize() -> [UInt8] {
      let bits = length &* 8
      var tail = pending
      tail.append(0x80)
      while tail.count % 64 != 56 { tail.append(0) }
      for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
      tail.withUnsafeBytes { buf in
        for block in stride(from: 0, to: buf.count, by: 64) { compress(buf.baseAddress! + block) }
      }
      let h = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
      return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
    }

    /// The digest as 64 lowercase hex digits.
    public mutating func hexDigest() -> String {
      let digits = Array("0123456789abcdef".utf8)
      return String(decoding: finalize().flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    /// One 64-byte block.
    mutating func compress(_ block: UnsafeRawPointer) {
      withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
        SHA256.k.withUnsafeBufferPointer { k in
          for i in 0..<16 {
            let p = block + 4 * i
            w[i] = UInt32(p.load(fromByteOffset: 0, as: UInt8.self)) << 24 | UInt32(p.load(fromByteOffset: 1, as: UInt8.self)) << 16
              | UInt32(p.load(fromByteOffset: 2, as: UInt8.self)) << 8 | UInt32(p.load(fromByteOffset: 3, as: UInt8.self))
          }
          for i in 16..<64 {
            let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
          }
          var (a, b, c, d, e, f, g, hh) = state
          for i in 0..<64 {
            let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
            let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
          }
          state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ hh)
        }
      }
    }
  }

  @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
}
