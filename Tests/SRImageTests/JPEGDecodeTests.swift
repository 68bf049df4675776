import Foundation
import Testing

@testable import SRImage

/// `Fixtures/jpeg_goldens.json`: the fixtures as Pillow decodes them (Scripts/make_jpeg_fixtures.py).
struct JPEGGoldens: Decodable {
  struct Picture: Decodable {
    let width: Int
    let height: Int
    let channels: Int
    /// Row-major 8-bit samples, channels interleaved.
    let pixels: [UInt8]
  }
  let pillow: String
  let libjpeg_turbo: String
  let images: [String: Picture]

  static func load() throws -> JPEGGoldens {
    try JSONDecoder().decode(JPEGGoldens.self, from: Data(Fixtures.bytes("jpeg_goldens", ext: "json")))
  }
}

@Suite struct JPEGDecodeTests {
  /// libjpeg-turbo 2.1.5 (Debian) against Pillow 11.3.0's bundled libjpeg-turbo 3.1.1: both use
  /// JDCT_ISLOW and fancy upsampling, so every sample must be equal, not merely close.
  @Test(arguments: ["jpeg_baseline420", "jpeg_progressive422", "jpeg_gray"])
  func decodesExactlyAsPillow(_ name: String) throws {
    let golden = try #require(try JPEGGoldens.load().images[name])
    let image = try JPEGCodec.decode(try Fixtures.bytes(name, ext: "jpg"))
    #expect(image.width == golden.width && image.height == golden.height)
    #expect(image.alpha == nil && image.sourceBitDepth == 8)
    #expect(image.isGray == (golden.channels == 1))
    let plane = golden.width * golden.height
    var mismatches = 0
    for p in 0..<plane {
      for c in 0..<3 {
        let expected = golden.pixels[p * golden.channels + (golden.channels == 1 ? 0 : c)]
        if image.rgb.data[c * plane + p] != Float(expected) / 255 { mismatches += 1 }
      }
    }
    #expect(mismatches == 0, "\(mismatches) of \(3 * plane) samples differ from Pillow's decode")
  }

  @Test func goldensComeFromThePinnedPillow() throws {
    let goldens = try JPEGGoldens.load()
    #expect(goldens.pillow == "11.3.0")
    #expect(goldens.images.count == 3)
  }

  @Test func progressiveFixtureIsProgressiveAndBaselineIsNot() throws {
    // SOF2 (FF C2) marks a progressive frame, SOF0 (FF C0) a baseline one.
    #expect(try sofMarker(Fixtures.bytes("jpeg_progressive422", ext: "jpg")) == 0xC2)
    #expect(try sofMarker(Fixtures.bytes("jpeg_baseline420", ext: "jpg")) == 0xC0)
  }

  @Test func grayIsReplicatedLikeAGrayPNG() throws {
    let image = try JPEGCodec.decode(try Fixtures.bytes("jpeg_gray", ext: "jpg"))
    let plane = image.width * image.height
    let data = image.rgb.data
    #expect(image.sourceColorType == .gray)
    #expect(Array(data[0..<plane]) == Array(data[plane..<2 * plane]))
    #expect(Array(data[0..<plane]) == Array(data[2 * plane..<3 * plane]))
  }
}

/// The SOFn marker byte (C0...CF except C4, C8, CC) of a JPEG, found by walking its segments.
func sofMarker(_ bytes: [UInt8]) -> UInt8? {
  sofOffset(bytes).map { bytes[$0 + 1] }
}

/// The offset of the SOFn marker's FF byte, walking the marker segments after SOI.
func sofOffset(_ bytes: [UInt8]) -> Int? {
  var i = 2
  while i + 3 < bytes.count, bytes[i] == 0xFF {
    let marker = bytes[i + 1]
    if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) { return i }
    i += 2 + (Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]))
  }
  return nil
}
