import Foundation
import Testing

@testable import SRImage

@Suite struct ImageFileTests {
  @Test func readsPNGAndJPEGAsTheirCodecsDo() throws {
    let png = try Fixtures.url("rgb8", ext: "png").path
    let jpeg = try Fixtures.url("jpeg_progressive422", ext: "jpg").path
    #expect(try ImageFile.read(contentsOf: png) == PNGCodec.read(contentsOf: png))
    #expect(try ImageFile.read(contentsOf: jpeg) == JPEGCodec.read(contentsOf: jpeg))
  }

  /// The size a header declares, read without decoding, equals the decoded size.
  @Test func declaredSizeMatchesTheDecodedImage() throws {
    for (name, ext) in [("rgb8", "png"), ("jpeg_progressive422", "jpg"), ("jpeg_baseline420", "jpg"), ("jpeg_gray", "jpg")] {
      let path = try Fixtures.url(name, ext: ext).path
      let image = try ImageFile.read(contentsOf: path)
      let size = try #require(try ImageFile.declaredSize(contentsOf: path), "\(name)")
      #expect(size.width == image.width && size.height == image.height, "\(name)")
    }
    #expect(ImageFile.declaredSize(of: Array("not an image".utf8)) == nil)
    #expect(ImageFile.declaredSize(of: [0xFF, 0xD8, 0xFF]) == nil)  // a JPEG cut before any SOF
  }

  @Test func contentsDecideTheDecoderNotTheName() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/actually-a-jpeg.png"
    let bytes = try Fixtures.bytes("jpeg_gray", ext: "jpg")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(try ImageFile.read(contentsOf: path) == JPEGCodec.decode(bytes))
  }

  /// Each failure is one line that names the full path, not just the base name.
  @Test func errorsNameTheFullPath() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
      let path = dir + "/" + name
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      return path
    }
    let text = try write("notes.jpg", Array("these are not pixels\n".utf8))
    let empty = try write("empty.jpeg", [])
    let cut = try write("cut.jpg", Array(try Fixtures.bytes("jpeg_baseline420", ext: "jpg").prefix(400)))
    let huge = try write("huge.jpg", withDimensions(try Fixtures.bytes("jpeg_baseline420", ext: "jpg"),
                                                     width: 65000, height: 65000))
    let badPNG = try write("bad.png", Array(try Fixtures.bytes("rgb8").prefix(60)))
    let missing = dir + "/missing.png"
    let cases: [(String, String)] = [
      (text, "\(text): neither a PNG nor a JPEG file (no PNG signature or JPEG SOI marker at the start)"),
      (empty, "\(empty): empty file, neither PNG nor JPEG"),
      (cut, "\(cut): truncated JPEG data (premature end of file)"),
      (huge, "\(huge): image too large: 65000x65000 pixels (limit 268435456)"),
      (badPNG, "\(badPNG): truncated PNG data"),
      (missing, "cannot open \(missing): No such file or directory"),
    ]
    for (path, message) in cases {
      #expect(path.hasPrefix("/"))
      do {
        _ = try ImageFile.read(contentsOf: path)
        Issue.record("\(path) was read")
      } catch {
        #expect(error.description == message)
        #expect(!error.description.contains("\n"))
      }
    }
  }

  @Test func sniffsSignaturesAndTheirPrefixes() {
    #expect(ImageFile.format(of: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
    #expect(ImageFile.format(of: [0x89, 0x50]) == .png)  // cut-off PNG: its decoder says truncated
    #expect(ImageFile.format(of: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
    #expect(ImageFile.format(of: [0xFF]) == .jpeg)
    #expect(ImageFile.format(of: [0xFF, 0xD9]) == nil)
    #expect(ImageFile.format(of: Array("GIF89a".utf8)) == nil)
    #expect(ImageFile.format(of: []) == nil)
  }

  @Test func imageNamesForFolderListings() {
    for name in ["a.png", "b.PNG", "c.jpg", "d.JPG", "e.jpeg", "f.JpEg", "/x/y.z/0801.png", ".png"] {
      #expect(ImageFile.hasImageExtension(name), "\(name)")
    }
    for name in ["a.gif", "b.webp", "png", "c.png.txt", "d.jpe", "dir.png/file", "e.", ""] {
      #expect(!ImageFile.hasImageExtension(name), "\(name)")
    }
  }
}
