import Foundation
import SRFormats
import SRTensor
import SRTestSupport
import Testing

/// Builds a safetensors file from a header string and a data buffer.
func safetensorsBytes(_ header: String, _ data: [UInt8] = [], declared: UInt64? = nil) -> [UInt8] {
  let h = Array(header.utf8)
  let n = declared ?? UInt64(h.count)
  return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + h + data
}

@Suite struct SafetensorsTests {
  static func sample() -> StateDict {
    var g = SeededGenerator(seed: 42)
    var d = StateDict(metadata: ["format": "pt", "quote\"key": "line\nbreak"])
    d["conv.weight"] = Tensor(shape: [3, 4, 3, 3], data: g.floats(108))
    d["conv.bias"] = Tensor(shape: [3], data: g.floats(3))
    d["scalar"] = Tensor(shape: [], data: [0.125])
    d["empty"] = Tensor(shape: [0, 2], data: [])
    d["a.\u{e9}"] = Tensor(shape: [2], data: [1e-5, -65000])
    return d
  }

  @Test func roundTripF32IsExact() throws {
    let d = Self.sample()
    let bytes = try Safetensors.write(d)
    let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.1) << (8 * $1.0) }
    #expect((8 + headerLength) % 8 == 0)
    #expect(CheckpointSniffer.sniff(bytes) == .safetensors)
    let back = try Safetensors.read(bytes)
    #expect(back.keys == d.keys)
    #expect(back.metadata == d.metadata)
    for k in d.keys { #expect(back[k] == d[k], "\(k)") }
  }

  @Test func roundTripF16WithinHalfPrecision() throws {
    let d = Self.sample()
    let back = try Safetensors.read(try Safetensors.write(d, as: .f16))
    #expect(back.keys == d.keys)
    for k in d.keys {
      let a = try #require(back[k]), e = try #require(d[k])
      #expect(a.shape == e.shape)
      // binary16 has an 11-bit significand: relative error ≤ 2^-11 ≈ 4.9e-4 for normal values;
      // 1e-5 is subnormal in f16 (spacing 6e-8), so allow that absolute error too.
      for (x, y) in zip(a.data, e.data) {
        #expect(abs(x - y) <= 1e-3 * abs(y) + 6e-8, "\(k): \(x) vs \(y)")
      }
      #if arch(x86_64) || arch(arm64)
      #expect(a.data == e.data.map { Float(Float16($0)) }, "\(k) vs Float16 rounding")
      #endif
    }
  }

  @Test func readsEveryIntegerAndFloatDType() throws {
    // BF16 0x3FC0 = 1.5; F16 0xC100 = -2.5; I64 -3; I32 70000; I16 -2; I8 -128; U8 255; BOOL 1; F64 0.1
    let data: [UInt8] = [0xC0, 0x3F, 0x00, 0xC1] + [0xFD] + [UInt8](repeating: 0xFF, count: 7)
      + [0x70, 0x11, 0x01, 0x00] + [0xFE, 0xFF] + [0x80, 0xFF, 0x01]
      + [0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F]
    let header = """
      {"bf":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]},"h":{"dtype":"F16","shape":[1],"data_offsets":[2,4]},\
      "l":{"dtype":"I64","shape":[],"data_offsets":[4,12]},"i":{"dtype":"I32","shape":[1],"data_offsets":[12,16]},\
      "s":{"dtype":"I16","shape":[1],"data_offsets":[16,18]},"c":{"dtype":"I8","shape":[1],"data_offsets":[18,19]},\
      "u":{"dtype":"U8","shape":[1],"data_offsets":[19,20]},"b":{"dtype":"BOOL","shape":[1],"data_offsets":[20,21]},\
      "d":{"dtype":"F64","shape":[1,1],"data_offsets":[21,29]}}
      """
    let d = try Safetensors.read(safetensorsBytes(header, data))
    #expect(d.keys == ["bf", "h", "l", "i", "s", "c", "u", "b", "d"])
    let values = d.keys.compactMap { d[$0]?.data.first }
    #expect(values == [1.5, -2.5, -3, 70000, -2, -128, 255, 1, Float(0.1)])
    #expect(d["d"]?.shape == [1, 1])
    #expect(d["l"]?.shape == [])
  }

  static let one = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
  static let four: [UInt8] = [0, 0, 128, 63]

  /// (id, input, expected error)
  static let badCases: [(String, [UInt8], SafetensorsError)] = [
    ("too small", [1, 2, 3], .headerTooSmall(fileSize: 3)),
    ("header longer than file", safetensorsBytes("{}", declared: 1000), .headerLongerThanFile(declared: 1000, available: 2)),
    ("header too large", safetensorsBytes("{}", declared: 200_000_000), .headerTooLarge(declared: 200_000_000, limit: 100_000_000)),
    ("not utf8", safetensorsBytes("{\u{1}}") .enumerated().map { $0.offset == 9 ? 0xFF : $0.element }, .invalidUTF8),
    ("not an object start", safetensorsBytes(" {}"), .invalidHeaderStart),
    ("bad json", safetensorsBytes(#"{"a":}"#), .invalidJSON(reason: "invalid value", offset: 5)),
    ("offsets out of range", safetensorsBytes(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, four),
     .offsetsOutOfRange(name: "a", begin: 0, end: 8, bufferSize: 4)),
    ("reversed offsets", safetensorsBytes(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, four),
     .offsetsOutOfRange(name: "a", begin: 4, end: 0, bufferSize: 4)),
    ("overlapping offsets", safetensorsBytes(
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
      four + four), .overlappingOffsets(name: "b", other: "a")),
    ("hole", safetensorsBytes(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, four + four),
     .notCovering(gapAt: 0, bufferSize: 8)),
    ("trailing bytes", safetensorsBytes(one, four + [0]), .notCovering(gapAt: 4, bufferSize: 5)),
    ("unknown dtype", safetensorsBytes(#"{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#, [0]),
     .unknownDType(name: "a", dtype: "F8_E4M3")),
    ("size mismatch", safetensorsBytes(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, four),
     .sizeMismatch(name: "a", shape: [2], dtype: "F32", byteCount: 4)),
    ("duplicate key", safetensorsBytes(
      #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
      four + four), .duplicateKey("a")),
    ("missing shape", safetensorsBytes(#"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, four),
     .invalidTensorInfo(name: "a", reason: "shape must be a list of non-negative integers")),
    ("metadata not strings", safetensorsBytes(#"{"__metadata__":{"n":1}}"#), .invalidMetadata(key: "n")),
  ]

  @Test(arguments: 0..<badCases.count)
  func badInputThrowsExactError(_ i: Int) {
    let (id, bytes, expected) = Self.badCases[i]
    let error = #expect(throws: SafetensorsError.self, "\(id)") { try Safetensors.read(bytes) }
    #expect(error == expected, "\(id): \(error.map(String.init(describing:)) ?? "nil")")
  }

  @Test func truncatedFixtureThrowsAtEveryCut() throws {
    let good = try FormatsFixtures.bytes("rrdb_basicsr.safetensors")
    let n = good[0..<8].enumerated().reduce(0) { $0 | Int($1.1) << (8 * $1.0) }
    let buffer = good.count - 8 - n
    #expect(throws: SafetensorsError.headerTooSmall(fileSize: 5)) { try Safetensors.read(Array(good.prefix(5))) }
    #expect(throws: SafetensorsError.headerLongerThanFile(declared: UInt64(n), available: 92)) {
      try Safetensors.read(Array(good.prefix(100)))
    }
    #expect(throws: SafetensorsError.offsetsOutOfRange(name: "conv_last.bias", begin: buffer - 12, end: buffer, bufferSize: buffer - 4)) {
      try Safetensors.read(Array(good.dropLast(4)))
    }
    for cut in stride(from: 0, to: good.count, by: 97) {  // never traps, always throws
      #expect(throws: SafetensorsError.self) { try Safetensors.read(Array(good.prefix(cut))) }
    }
  }

  @Test func messagesAreOneLine() {
    #expect(SafetensorsError.headerLongerThanFile(declared: 1000, available: 2).description
      == "safetensors: header declares 1000 bytes but only 2 bytes follow the length field")
    #expect(SafetensorsError.unknownDType(name: "a", dtype: "F8_E4M3").description
      == "safetensors: tensor 'a' has unsupported dtype 'F8_E4M3'")
  }
}
