import SRTensor

/// Reads layer weights from an ncnn `.bin` in layer order (ncnn `ModelBinFromDataReader`).
///
/// Type-0 buffers start with a 4-byte little-endian storage tag (0 = float32,
/// 0x01306B47 = float16 padded to 4 bytes); type-1 buffers are raw float32 with no tag.
/// Every length is checked against the bytes that remain before reading.
struct NCNNWeightReader {
  static let tagFloat32: UInt32 = 0
  static let tagFloat16: UInt32 = 0x0130_6B47

  let bytes: [UInt8]
  private(set) var offset = 0

  init(bytes: [UInt8]) {
    self.bytes = bytes
  }

  /// Bytes not yet consumed.
  var remaining: Int { bytes.count - offset }

  /// The weights of `layer` in file order (empty for weightless layer types).
  mutating func readWeights(for layer: NCNNLayer) throws -> [Tensor] {
    switch layer.type {
    case "Convolution": return try readConvolution(layer)
    case "PReLU":
      let count = try positiveParam(0, of: layer, default: 1)
      return [Tensor(shape: [count], data: try readRaw(count, layer))]
    default: return []
    }
  }

  private mutating func readConvolution(_ layer: NCNNLayer) throws -> [Tensor] {
    let outputs = try positiveParam(0, of: layer, default: 0)
    let kw = try positiveParam(1, of: layer, default: 0)
    let kh = try positiveParam(11, of: layer, default: kw)
    let size = try positiveParam(6, of: layer, default: 0)
    for (key, what) in [(8, "int8 quantised weights"), (19, "dynamic weights")]
    where layer.int(key, default: 0) != 0 {
      throw invalid(key, layer, "= \(layer.int(key, default: 0)): \(what) are not supported")
    }
    let checked = Checked.product([outputs, kh, kw])
    guard let perInput = checked, size % perInput == 0 else {
      throw invalid(6, layer, "= \(size) is not a multiple of num_output×kh×kw = \(checked.map(String.init) ?? "(overflow)")")
    }
    let inputs = size / perInput
    let weight = Tensor(shape: [outputs, inputs, kh, kw], data: try readTagged(size, layer))
    switch layer.int(5, default: 0) {
    case 0: return [weight]
    case 1: return [weight, Tensor(shape: [outputs], data: try readRaw(outputs, layer))]
    case let other: throw invalid(5, layer, "(bias_term) = \(other); expected 0 or 1")
    }
  }

  private func positiveParam(_ key: Int, of layer: NCNNLayer, default value: Int) throws -> Int {
    let v = layer.int(key, default: value)
    guard v > 0, v <= 1 << 28 else {
      throw invalid(key, layer, v == 0 && layer.intParams[key] == nil ? "is missing" : "= \(v) is out of range")
    }
    return v
  }

  private func invalid(_ key: Int, _ layer: NCNNLayer, _ reason: String) -> NCNNError {
    NCNNError.invalidParam(key: key, layer: layer.name, line: layer.line, reason: reason)
  }

  /// A type-0 buffer of `count` values: tag, then float32 or padded float16 data.
  private mutating func readTagged(_ count: Int, _ layer: NCNNLayer) throws -> [Float] {
    try need(4, layer)
    let tag = u32(at: offset)
    switch tag {
    case Self.tagFloat32:
      offset += 4
      return try readRaw(count, layer)
    case Self.tagFloat16:
      let padded = (count * 2 + 3) / 4 * 4
      try need(4 + padded, layer)
      offset += 4
      let start = offset
      let out = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        bytes.withUnsafeBytes { raw in
          for i in 0..<count {
            let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start + 2 * i, as: UInt16.self))
            buffer[i] = Self.halfToFloat(bits)
          }
        }
        initialized = count
      }
      offset += padded
      return out
    default:
      throw NCNNError.unsupportedWeightTag(tag: tag, layer: layer.name, line: layer.line)
    }
  }

  /// A type-1 buffer: `count` raw little-endian float32 values.
  private mutating func readRaw(_ count: Int, _ layer: NCNNLayer) throws -> [Float] {
    try need(count * 4, layer)
    let start = offset
    let out = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      bytes.withUnsafeBytes { raw in
        for i in 0..<count {
          let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self))
          buffer[i] = Float(bitPattern: bits)
        }
      }
      initialized = count
    }
    offset += count * 4
    return out
  }

  private func need(_ n: Int, _ layer: NCNNLayer) throws {
    guard n <= remaining else {
      throw NCNNError.binTooShort(layer: layer.name, line: layer.line, offset: offset,
                                  needed: n, available: remaining)
    }
  }

  private func u32(at i: Int) -> UInt32 {
    UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
  }

  /// IEEE 754 binary16 → binary32, exact for all values (subnormals, ±inf, NaN).
  static func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = Int((h >> 10) & 0x1F)
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0x1F {
      return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    }
    if exponent == 0 {
      // Subnormal (or zero): mantissa × 2^-24, exact in float32.
      let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
      return sign == 0 ? magnitude : -magnitude
    }
    return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | mantissa << 13)
  }
}
