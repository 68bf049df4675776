import Foundation
import Testing

@testable import SRImage

/// One malformed JPEG and the exact error it must produce.
struct MalformedJPEGCase: Sendable, CustomStringConvertible {
  let id: String
  let bytes: @Sendable () throws -> [UInt8]
  let expected: JPEGError
  let message: String
  var description: String { id }
}

/// jpeg_baseline420.jpg, edited: 666 bytes, headers up to 623, then 41 bytes of scan data and EOI.
private func baseline() throws -> [UInt8] { try Fixtures.bytes("jpeg_baseline420", ext: "jpg") }

/// `bytes` with the SOF segment's height and width fields replaced.
func withDimensions(_ bytes: [UInt8], width: Int, height: Int) -> [UInt8] {
  guard let sof = sofOffset(bytes) else { return bytes }
  var b = bytes
  b[sof + 5] = UInt8(height >> 8); b[sof + 6] = UInt8(height & 0xFF)
  b[sof + 7] = UInt8(width >> 8); b[sof + 8] = UInt8(width & 0xFF)
  return b
}

/// The offset of the first entropy-coded byte (after the SOS segment).
func scanDataOffset(_ bytes: [UInt8]) -> Int {
  var i = 2
  while i + 3 < bytes.count, bytes[i] == 0xFF, bytes[i + 1] != 0xDA {
    i += 2 + (Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]))
  }
  return i + 2 + (Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]))
}

let malformedJPEGCases: [MalformedJPEGCase] = [
  MalformedJPEGCase(id: "text", bytes: { Array("hello, world\n".utf8) }, expected: .notJPEG,
                    message: "not a JPEG file (does not start with FF D8 FF)"),
  MalformedJPEGCase(id: "empty", bytes: { [] }, expected: .notJPEG,
                    message: "not a JPEG file (does not start with FF D8 FF)"),
  MalformedJPEGCase(id: "SOI only", bytes: { [0xFF, 0xD8] }, expected: .truncated,
                    message: "truncated JPEG data (premature end of file)"),
  MalformedJPEGCase(id: "cut inside the headers", bytes: { Array(try baseline().prefix(100)) },
                    expected: .truncated, message: "truncated JPEG data (premature end of file)"),
  MalformedJPEGCase(id: "cut in the middle of the scan", bytes: {
                      let b = try baseline(); return Array(b.prefix(scanDataOffset(b) + 20)) },
                    expected: .truncated, message: "truncated JPEG data (premature end of file)"),
  MalformedJPEGCase(id: "EOI missing", bytes: { Array(try baseline().dropLast(2)) },
                    expected: .truncated, message: "truncated JPEG data (premature end of file)"),
  MalformedJPEGCase(id: "scan data overwritten with fill bytes", bytes: {
                      var b = try baseline(); let s = scanDataOffset(b)
                      for i in s + 10..<s + 20 { b[i] = 0xFF }  // FF FF ... FF xx: a marker mid-scan
                      return b },
                    expected: .decodeFailed("Corrupt JPEG data: premature end of data segment"),
                    message: "cannot decode JPEG: Corrupt JPEG data: premature end of data segment"),
  MalformedJPEGCase(id: "scan data overwritten with one bits", bytes: {
                      var b = try baseline(); let s = scanDataOffset(b)
                      for i in stride(from: s + 10, to: s + 20, by: 2) { b[i] = 0xFF; b[i + 1] = 0x00 }
                      return b },  // stuffed FF 00 = eight 1 bits each; an all-ones code is never valid
                    expected: .decodeFailed("Corrupt JPEG data: bad Huffman code"),
                    message: "cannot decode JPEG: Corrupt JPEG data: bad Huffman code"),
  MalformedJPEGCase(id: "12-bit precision", bytes: {
                      var b = try baseline(); b[try #require(sofOffset(b)) + 4] = 12; return b },
                    expected: .decodeFailed("Unsupported JPEG data precision 12"),
                    message: "cannot decode JPEG: Unsupported JPEG data precision 12"),
  MalformedJPEGCase(id: "65000 x 65000", bytes: { withDimensions(try baseline(), width: 65000, height: 65000) },
                    expected: .imageTooLarge(width: 65000, height: 65000, limit: 1 << 28),
                    message: "image too large: 65000x65000 pixels (limit 268435456)"),
  // 16000 x 16000 is under the pixel limit, but its 2000 x 2000 luma blocks need 500000 bytes.
  MalformedJPEGCase(id: "16000 x 16000 in 666 bytes",
                    bytes: { withDimensions(try baseline(), width: 16000, height: 16000) },
                    expected: .implausibleSize(width: 16000, height: 16000, bytes: 666, minimum: 500_000),
                    message: "JPEG header declares 16000x16000 pixels, which needs at least 500000 bytes;"
                      + " the file has 666"),
  MalformedJPEGCase(id: "Adobe CMYK", bytes: { try Fixtures.bytes("jpeg_cmyk", ext: "jpg") },
                    expected: .unsupportedColorSpace("CMYK"),
                    message: "unsupported JPEG colour space CMYK (only grayscale and YCbCr/RGB are read)"),
]

@Suite struct JPEGErrorTests {
  @Test(arguments: malformedJPEGCases)
  func rejectsMalformedInputWithExactError(_ item: MalformedJPEGCase) throws {
    let bytes = try item.bytes()
    #expect(throws: item.expected) { try JPEGCodec.decode(bytes) }
    #expect(item.expected.description == item.message)
  }

  @Test func aSmallEnoughHeaderStillDecodes() throws {
    // The same file with its own dimensions: the size check must not reject valid files.
    let b = try baseline()
    #expect(try JPEGCodec.decode(withDimensions(b, width: 16, height: 12)).width == 16)
  }

  @Test func readReportsMissingFileAndWrapsDecodeErrorsWithPath() throws {
    let missing = "/nonexistent-srimage-dir/none.jpg"
    #expect(throws: JPEGError.cannotOpen(path: missing, reason: "No such file or directory")) {
      try JPEGCodec.read(contentsOf: missing)
    }
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/cut.jpg"
    try Data(try baseline().prefix(300)).write(to: URL(fileURLWithPath: path))
    #expect(throws: JPEGError.inFile(path: path, .truncated)) { try JPEGCodec.read(contentsOf: path) }
    #expect(JPEGError.inFile(path: path, .truncated).root == .truncated)
  }
}
