import Foundation
import Testing

@testable import SRImage

/// One malformed input and the exact error it must produce.
struct MalformedCase: Sendable, CustomStringConvertible {
  let id: String
  let bytes: @Sendable () throws -> [UInt8]
  let expected: PNGError
  var description: String { id }
}

/// rgb8.png layout: signature 0..<8, IHDR chunk 8..<33 (CRC at 29..<33), IDAT chunk from 33.
let malformedCases: [MalformedCase] = [
  MalformedCase(id: "bad signature", bytes: { var b = try Fixtures.bytes("rgb8"); b[0] = 0; return b },
                expected: .notPNG),
  MalformedCase(id: "empty", bytes: { [] }, expected: .notPNG),
  MalformedCase(id: "text file", bytes: { Array("hello, world\n".utf8) }, expected: .notPNG),
  MalformedCase(id: "signature only, 5 bytes", bytes: { Array(try Fixtures.bytes("rgb8").prefix(5)) },
                expected: .truncated),
  MalformedCase(id: "signature only", bytes: { Array(try Fixtures.bytes("rgb8").prefix(8)) },
                expected: .truncated),
  MalformedCase(id: "cut inside IHDR", bytes: { Array(try Fixtures.bytes("rgb8").prefix(20)) },
                expected: .truncated),
  MalformedCase(id: "cut inside IDAT", bytes: { Array(try Fixtures.bytes("rgb8").prefix(60)) },
                expected: .truncated),
  MalformedCase(id: "IEND missing", bytes: { Array(try Fixtures.bytes("rgb8").dropLast(12)) },
                expected: .truncated),
  MalformedCase(id: "bad IHDR CRC", bytes: { var b = try Fixtures.bytes("rgb8"); b[30] ^= 0xFF; return b },
                expected: .corrupt("IHDR: CRC error")),
  MalformedCase(id: "bad IDAT CRC", bytes: {
                  var b = try Fixtures.bytes("rgb8"); b[b.count - 13] ^= 0x01; return b },  // before IEND
                expected: .corrupt("IDAT: CRC error")),
  // A flipped deflate byte is caught by zlib's Adler-32 before libpng reaches the chunk CRC.
  MalformedCase(id: "flipped IDAT data byte", bytes: {
                  var b = try Fixtures.bytes("rgb8"); b[45] ^= 0x01; return b },
                expected: .corrupt("IDAT: incorrect data check")),
  MalformedCase(id: "IDAT stream one row short", bytes: { try Fixtures.bytes("err_short_idat") },
                expected: .corrupt("Not enough image data")),
  MalformedCase(id: "IDAT not deflate", bytes: { try Fixtures.bytes("err_bad_zlib") },
                expected: .corrupt("IDAT: invalid block type")),
  MalformedCase(id: "100000 x 100000", bytes: { try Fixtures.bytes("err_huge") },
                expected: .imageTooLarge(width: 100000, height: 100000, limit: 1 << 28)),
]

@Suite struct PNGErrorTests {
  @Test(arguments: malformedCases)
  func rejectsMalformedInputWithExactError(_ item: MalformedCase) throws {
    let bytes = try item.bytes()
    #expect(throws: item.expected) { try PNGCodec.decode(bytes) }
  }

  @Test func errorMessagesAreOneLine() {
    let cases: [(PNGError, String)] = [
      (.notPNG, "not a PNG file (bad signature)"),
      (.truncated, "truncated PNG data"),
      (.corrupt("IHDR: CRC error"), "corrupt PNG: IHDR: CRC error"),
      (.cannotOpen(path: "a.png", reason: "No such file or directory"),
       "cannot open a.png: No such file or directory"),
      (.imageTooLarge(width: 3, height: 4, limit: 5), "image too large: 3x4 pixels (limit 5)"),
      (.unsupportedBitDepth(12), "unsupported PNG output bit depth 12 (expected 8 or 16)"),
      (.inFile(path: "x.png", .truncated), "x.png: truncated PNG data"),
    ]
    for (error, text) in cases { #expect(error.description == text) }
  }

  @Test func readReportsMissingFileWithStrerror() {
    let path = "/nonexistent-srimage-dir/none.png"
    #expect(throws: PNGError.cannotOpen(path: path, reason: "No such file or directory")) {
      try PNGCodec.read(contentsOf: path)
    }
  }

  @Test func readWrapsDecodeErrorsWithPath() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/fake.png"
    try Data("not a png".utf8).write(to: URL(fileURLWithPath: path))
    #expect(throws: PNGError.inFile(path: path, .notPNG)) { try PNGCodec.read(contentsOf: path) }
    #expect(PNGError.inFile(path: path, .notPNG).root == .notPNG)
  }
}

/// A fresh empty directory under the system temporary directory.
func makeTemporaryDirectory() throws -> String {
  let path = NSTemporaryDirectory() + "srimage-tests-" + UUID().uuidString
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// rgb8.png with its IHDR saying `width` x `height` (CRC recomputed, so libpng accepts the chunk).
func pngWithDimensions(_ bytes: [UInt8], width: UInt32, height: UInt32) -> [UInt8] {
  var b = bytes
  for (i, v) in [width, height].enumerated() {
    for k in 0..<4 { b[16 + 4 * i + k] = UInt8(truncatingIfNeeded: v >> (24 - 8 * k)) }
  }
  var crc: UInt32 = 0xFFFF_FFFF
  for byte in b[12..<29] {
    crc ^= UInt32(byte)
    for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
  }
  crc ^= 0xFFFF_FFFF
  for k in 0..<4 { b[29 + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * k)) }
  return b
}

@Suite struct PNGSizeBeforeAllocationTests {
  /// A 111-byte file whose IHDR says 16000x16000 RGB (under the pixel limit) made the
  /// shim allocate 768 MB (2 GB for RGBA16) before libpng found the data missing. Deflate expands
  /// at most 1032 times, so those samples need at least 744187 bytes of IDAT.
  @Test func implausiblySmallFileIsRefusedBeforeAllocating() throws {
    let bytes = pngWithDimensions(try Fixtures.bytes("rgb8"), width: 16000, height: 16000)
    let error = #expect(throws: PNGError.self) { try PNGCodec.decode(bytes) }
    #expect(error == .implausibleSize(width: 16000, height: 16000, bytes: 111, minimum: 744_187))
    #expect(error?.description
      == "PNG header declares 16000x16000 pixels, which needs at least 744187 bytes; the file has 111")
  }

  /// The bound never refuses a real file: every fixture still decodes, and 1x1 needs 1 byte.
  @Test func boundAcceptsEveryValidFixture() throws {
    for name in ["gray1", "gray16", "pal4_trns", "pal8", "rgb16", "rgb8_adam7", "rgba16"] {
      _ = try PNGCodec.decode(try Fixtures.bytes(name))
    }
    // 1000x1000 RGB: 3 MB of samples need 2907 bytes; the 111-byte file is refused, not decoded.
    #expect(throws: PNGError.implausibleSize(width: 1000, height: 1000, bytes: 111, minimum: 2907)) {
      try PNGCodec.decode(pngWithDimensions(try Fixtures.bytes("rgb8"), width: 1000, height: 1000))
    }
  }
}
