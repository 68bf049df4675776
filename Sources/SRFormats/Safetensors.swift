import SRTensor

/// Reads and writes Hugging Face safetensors (SR-SPEC §2.6).
public enum Safetensors {
  /// The header cap of the reference parser.
  public static let headerLimit: UInt64 = 100_000_000

  private static let dtypes: [String: ElementType] = [
    "F64": .f64, "F32": .f32, "F16": .f16, "BF16": .bf16, "I64": .i64, "I32": .i32, "I16": .i16,
    "I8": .i8, "U8": .u8, "U16": .u16, "U32": .u32, "U64": .u64, "BOOL": .bool,
  ]

  private struct Entry { var name: String; var type: ElementType; var shape: [Int]; var begin: Int; var end: Int }

  /// Parses a safetensors file, converting every supported dtype to Float; keys keep header order.
  /// - Throws: `SafetensorsError` for any structural problem (see its cases); never traps.
  public static func read(_ bytes: [UInt8]) throws(SafetensorsError) -> StateDict {
    guard bytes.count >= 8 else { throw .headerTooSmall(fileSize: bytes.count) }
    var r = ByteReader(bytes)
    let n = (try? r.u64()) ?? 0
    guard n <= headerLimit else { throw .headerTooLarge(declared: n, limit: headerLimit) }
    guard n <= UInt64(bytes.count - 8) else { throw .headerLongerThanFile(declared: n, available: bytes.count - 8) }
    let hEnd = 8 + Int(n), bufferSize = bytes.count - hEnd
    guard String(validating: bytes[8..<hEnd], as: UTF8.self) != nil else { throw .invalidUTF8 }
    guard n > 0, bytes[8] == UInt8(ascii: "{") else { throw .invalidHeaderStart }
    let json: JSONValue
    do { json = try JSONParser.parse(bytes, start: 8, end: hEnd) } catch {
      throw .invalidJSON(reason: error.reason, offset: error.offset - 8)
    }
    guard case .object(let members) = json else { throw .invalidJSON(reason: "not an object", offset: 0) }
    var metadata: [String: String] = [:], entries: [Entry] = [], seen = Set<String>()
    for (name, value) in members {
      guard seen.insert(name).inserted else { throw .duplicateKey(name) }
      if name == "__metadata__" {
        guard case .object(let kv) = value else { throw .invalidMetadata(key: name) }
        for (k, v) in kv {
          guard case .string(let s) = v else { throw .invalidMetadata(key: k) }
          metadata[k] = s
        }
        continue
      }
      entries.append(try entry(name, value, bufferSize: bufferSize))
    }
    try checkCoverage(entries, bufferSize: bufferSize)
    var dict = StateDict(metadata: metadata)
    for e in entries {
      let count = e.shape.reduce(1, *)
      let data = e.type.decodeFloats(bytes, base: hEnd + e.begin, count: count)
      dict[e.name] = Tensor(shape: e.shape, data: data)
    }
    return dict
  }

  private static func entry(_ name: String, _ value: JSONValue, bufferSize: Int) throws(SafetensorsError) -> Entry {
    guard case .object(let fields) = value else { throw .invalidTensorInfo(name: name, reason: "not an object") }
    func field(_ key: String) -> JSONValue? { fields.first { $0.0 == key }?.1 }
    guard case .string(let dt) = field("dtype") else { throw .invalidTensorInfo(name: name, reason: "missing dtype") }
    guard let type = dtypes[dt] else { throw .unknownDType(name: name, dtype: dt) }
    guard let shape = intArray(field("shape")), shape.allSatisfy({ $0 >= 0 }) else {
      throw .invalidTensorInfo(name: name, reason: "shape must be a list of non-negative integers")
    }
    guard let offs = intArray(field("data_offsets")), offs.count == 2 else {
      throw .invalidTensorInfo(name: name, reason: "data_offsets must be two integers")
    }
    guard offs[0] >= 0, offs[0] <= offs[1], offs[1] <= bufferSize else {
      throw .offsetsOutOfRange(name: name, begin: offs[0], end: offs[1], bufferSize: bufferSize)
    }
    let bytesNeeded = Checked.product([type.size] + shape) ?? Int.max
    guard bytesNeeded == offs[1] - offs[0] else {
      throw .sizeMismatch(name: name, shape: shape, dtype: dt, byteCount: offs[1] - offs[0])
    }
    return Entry(name: name, type: type, shape: shape, begin: offs[0], end: offs[1])
  }

  private static func intArray(_ v: JSONValue?) -> [Int]? {
    guard case .array(let items) = v else { return nil }
    var out: [Int] = []
    for item in items {
      guard case .number(_, true, let i?) = item else { return nil }
      out.append(i)
    }
    return out
  }

  private static func checkCoverage(_ entries: [Entry], bufferSize: Int) throws(SafetensorsError) {
    var pos = 0, last = ""
    for e in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
      if e.begin < pos { throw .overlappingOffsets(name: e.name, other: last) }
      if e.begin > pos { throw .notCovering(gapAt: pos, bufferSize: bufferSize) }
      pos = e.end
      last = e.name
    }
    if pos != bufferSize { throw .notCovering(gapAt: pos, bufferSize: bufferSize) }
  }

  /// How tensors are stored when writing.
  public enum StorageType: Sendable {
    /// 32-bit IEEE floats (exact).
    case f32
    /// 16-bit IEEE halves (round to nearest even).
    case f16
  }

  /// Serialises a state dict in `dict.keys` order (tensors missing from `keys` follow, sorted),
  /// with `__metadata__` when non-empty and the header space-padded to 8-byte alignment.
  /// - Throws: `SafetensorsError.invalidTensorName` for a key without tensor or named `__metadata__`.
  public static func write(_ dict: StateDict, as type: StorageType = .f32) throws(SafetensorsError) -> [UInt8] {
    var order: [String] = [], seen = Set<String>()
    for k in dict.keys + dict.tensors.keys.sorted() where seen.insert(k).inserted { order.append(k) }
    var header = "{", offset = 0, parts: [String] = []
    if !dict.metadata.isEmpty {
      let kv = dict.metadata.keys.sorted().map { jsonQuote($0) + ":" + jsonQuote(dict.metadata[$0] ?? "") }
      parts.append("\"__metadata__\":{" + kv.joined(separator: ",") + "}")
    }
    let size = type == .f32 ? 4 : 2
    for k in order {
      guard k != "__metadata__", let t = dict.tensors[k] else { throw .invalidTensorName(k) }
      let shape = t.shape.map(String.init).joined(separator: ",")
      parts.append(jsonQuote(k) + ":{\"dtype\":\"\(type == .f32 ? "F32" : "F16")\",\"shape\":[\(shape)],"
        + "\"data_offsets\":[\(offset),\(offset + t.count * size)]}")
      offset += t.count * size
    }
    header += parts.joined(separator: ",") + "}"
    var h = Array(header.utf8)
    while (8 + h.count) % 8 != 0 { h.append(0x20) }
    var out: [UInt8] = []
    out.reserveCapacity(8 + h.count + offset)
    for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: UInt64(h.count) >> (8 * UInt64(i)))) }
    out += h
    for k in order {
      guard let t = dict.tensors[k] else { continue }
      for v in t.data {
        if type == .f32 {
          let b = v.bitPattern
          out += [UInt8(b & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b >> 16 & 0xFF), UInt8(b >> 24)]
        } else {
          let b = floatToHalf(v)
          out += [UInt8(b & 0xFF), UInt8(b >> 8)]
        }
      }
    }
    return out
  }
}
