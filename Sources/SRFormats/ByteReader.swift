/// A bounds-checked little-endian cursor over a byte array; every read throws on overrun.
struct ByteReader {
  /// Thrown when a read would pass the end of the buffer.
  struct Overrun: Error {
    /// Offset at which the read started.
    var offset: Int
    /// Number of bytes requested.
    var wanted: Int
  }

  let bytes: [UInt8]
  /// The current read position.
  var offset: Int
  /// The exclusive end of the readable window.
  let end: Int

  init(_ bytes: [UInt8], offset: Int = 0, end: Int? = nil) {
    self.bytes = bytes
    self.offset = offset
    self.end = min(end ?? bytes.count, bytes.count)
  }

  /// Bytes left before `end`.
  var remaining: Int { max(0, end - offset) }
  var isAtEnd: Bool { offset >= end }

  /// Checks that `count` bytes are available from the current offset.
  func require(_ count: Int) throws(Overrun) {
    if count < 0 || offset < 0 || count > end - offset { throw Overrun(offset: offset, wanted: count) }
  }

  mutating func u8() throws(Overrun) -> UInt8 {
    try require(1)
    defer { offset += 1 }
    return bytes[offset]
  }

  mutating func take(_ count: Int) throws(Overrun) -> ArraySlice<UInt8> {
    try require(count)
    defer { offset += count }
    return bytes[offset..<offset + count]
  }

  mutating func skip(_ count: Int) throws(Overrun) {
    try require(count)
    offset += count
  }

  /// Reads an unsigned little-endian integer of `width` bytes.
  mutating func uintLE(_ width: Int) throws(Overrun) -> UInt64 {
    try require(width)
    var v: UInt64 = 0
    for i in 0..<width { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
    offset += width
    return v
  }

  mutating func u16() throws(Overrun) -> UInt16 { UInt16(try uintLE(2)) }
  mutating func u32() throws(Overrun) -> UInt32 { UInt32(try uintLE(4)) }
  mutating func u64() throws(Overrun) -> UInt64 { try uintLE(8) }
  mutating func i32() throws(Overrun) -> Int32 { Int32(bitPattern: try u32()) }
  mutating func i64() throws(Overrun) -> Int64 { Int64(bitPattern: try u64()) }

  /// Reads a u16 at an absolute position without moving the cursor.
  static func u16(_ bytes: [UInt8], at pos: Int) -> UInt16? {
    guard pos >= 0, pos + 2 <= bytes.count else { return nil }
    return UInt16(bytes[pos]) | UInt16(bytes[pos + 1]) << 8
  }

  /// Reads a u32 at an absolute position without moving the cursor.
  static func u32(_ bytes: [UInt8], at pos: Int) -> UInt32? {
    guard pos >= 0, pos + 4 <= bytes.count else { return nil }
    var v: UInt32 = 0
    for i in 0..<4 { v |= UInt32(bytes[pos + i]) << (8 * UInt32(i)) }
    return v
  }
}

/// Element types shared by all containers, with their decoders to Float.
enum ElementType: String, Sendable {
  case f64, f32, f16, bf16, i64, i32, i16, i8, u8, u16, u32, u64, bool

  /// Size of one element in bytes.
  var size: Int {
    switch self {
    case .f64, .i64, .u64: 8
    case .f32, .i32, .u32: 4
    case .f16, .bf16, .i16, .u16: 2
    case .i8, .u8, .bool: 1
    }
  }

  /// Decodes element `i` of a buffer starting at `base` (bounds already checked by the caller).
  func decode(_ b: [UInt8], _ base: Int, _ i: Int, bigEndian: Bool = false) -> Double {
    let p = base + i * size
    var raw: UInt64 = 0
    for k in 0..<size {
      let byte = UInt64(b[bigEndian ? p + size - 1 - k : p + k])
      raw |= byte << (8 * UInt64(k))
    }
    switch self {
    case .f64: return Double(bitPattern: raw)
    case .f32: return Double(Float(bitPattern: UInt32(raw)))
    case .f16: return Double(halfToFloat(UInt16(raw)))
    case .bf16: return Double(Float(bitPattern: UInt32(raw) << 16))
    case .i64: return Double(Int64(bitPattern: raw))
    case .i32: return Double(Int32(bitPattern: UInt32(raw)))
    case .i16: return Double(Int16(bitPattern: UInt16(raw)))
    case .i8: return Double(Int8(bitPattern: UInt8(raw)))
    case .u8, .u16, .u32, .u64: return Double(raw)
    case .bool: return raw != 0 ? 1 : 0
    }
  }

  /// Decodes `count` elements starting at byte `base` to Float.
  func decodeFloats(_ b: [UInt8], base: Int, count: Int, bigEndian: Bool = false) -> [Float] {
    if self == .f32 && !bigEndian {
      return (0..<count).map { i in
        let p = base + 4 * i
        return Float(bitPattern: UInt32(b[p]) | UInt32(b[p + 1]) << 8 | UInt32(b[p + 2]) << 16 | UInt32(b[p + 3]) << 24)
      }
    }
    return (0..<count).map { Float(decode(b, base, $0, bigEndian: bigEndian)) }
  }
}

/// IEEE 754 binary16 to Float, including subnormals, infinities and NaN.
func halfToFloat(_ h: UInt16) -> Float {
  let sign = UInt32(h >> 15) << 31
  let exp = UInt32((h >> 10) & 0x1F)
  let mant = UInt32(h & 0x3FF)
  if exp == 0 {
    let v = Float(mant) * Float(sign: .plus, exponent: -24, significand: 1)
    return sign != 0 ? -v : v
  }
  if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
  return Float(bitPattern: sign | ((exp + 112) << 23) | (mant << 13))
}

/// Float to IEEE 754 binary16 with round-to-nearest-even (portable; no Float16 needed).
func floatToHalf(_ f: Float) -> UInt16 {
  let bits = f.bitPattern
  let sign = UInt16((bits >> 16) & 0x8000)
  let exp = Int((bits >> 23) & 0xFF)
  var mant = bits & 0x7F_FFFF
  if exp == 0xFF { return sign | 0x7C00 | (mant != 0 ? 0x200 : 0) }
  let e = exp - 127 + 15
  if e >= 31 { return sign | 0x7C00 }
  if e <= 0 {
    if e < -10 { return sign }
    mant |= 0x80_0000
    let shift = UInt32(14 - e)
    var half = mant >> shift
    let rem = mant & ((1 << shift) - 1), halfway = UInt32(1) << (shift - 1)
    if rem > halfway || (rem == halfway && half & 1 == 1) { half += 1 }
    return sign | UInt16(half)
  }
  var half = UInt32(e) << 10 | (mant >> 13)
  let rem = mant & 0x1FFF
  if rem > 0x1000 || (rem == 0x1000 && half & 1 == 1) { half += 1 }

  return sign | UInt16(truncatingIfNeeded: half)
}
