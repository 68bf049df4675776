import Foundation
import SRTensor
import SRTestSupport
import Testing

@testable import SRImage

/// A `[c, h, w]` tensor of random levels k / maxval (seeded).
func levelTensor(_ c: Int, _ h: Int, _ w: Int, maxval: Int, seed: UInt64) -> Tensor {
  var g = SeededGenerator(seed: seed)
  let data = (0..<c * h * w).map { _ in Float(Int(g.next() % UInt64(maxval + 1))) / Float(maxval) }
  return Tensor(shape: [c, h, w], data: data)
}

@Suite struct PNGEncodeTests {
  @Test(arguments: [8, 16], [false, true])
  func roundTripsColourExactly(bitDepth: Int, withAlpha: Bool) throws {
    let maxval = (1 << bitDepth) - 1
    let image = Image(rgb: levelTensor(3, 5, 7, maxval: maxval, seed: 11),
                      alpha: withAlpha ? levelTensor(1, 5, 7, maxval: maxval, seed: 12) : nil)
    let decoded = try PNGCodec.decode(try PNGCodec.encode(image, bitDepth: bitDepth))
    #expect(decoded.rgb == image.rgb)
    #expect(decoded.alpha == image.alpha)
    #expect(decoded.sourceColorType == (withAlpha ? .rgba : .rgb))
    #expect(decoded.sourceBitDepth == bitDepth)
  }

  @Test(arguments: [8, 16])
  func roundTripsGrayFixturesAsGray(bitDepth: Int) throws {
    let source = try PNGCodec.decode(try Fixtures.bytes(bitDepth == 8 ? "graya8" : "graya16"))
    let decoded = try PNGCodec.decode(try PNGCodec.encode(source, bitDepth: bitDepth))
    #expect(decoded.sourceColorType == .grayAlpha)
    #expect(decoded.rgb == source.rgb && decoded.alpha == source.alpha)
  }

  @Test func grayFromUnequalChannelsIsTheChannelMean() throws {
    let rgb = levelTensor(3, 4, 6, maxval: 255, seed: 21)
    let decoded = try PNGCodec.decode(try PNGCodec.encode(Image(rgb: rgb), asGray: true))
    #expect(decoded.sourceColorType == .gray)
    let n = 24
    for p in 0..<n {
      let mean = (Double(rgb.data[p]) + Double(rgb.data[n + p]) + Double(rgb.data[2 * n + p])) / 3
      let level = Int((mean * 255 + 0.5).rounded(.down))  // round half up, in Double
      #expect(decoded.rgb.data[p] == Float(level) / 255, "pixel \(p)")
    }
  }

  @Test func clampsOutOfRangeValues() throws {
    let rgb = Tensor(shape: [3, 1, 3], data: [-0.5, 1.5, .nan, 0, 1, 0.5, 2, -1, 0.25])
    let decoded = try PNGCodec.decode(try PNGCodec.encode(Image(rgb: rgb)))
    #expect(decoded.rgb.data.map { Int($0 * 255) } == [0, 255, 0, 0, 255, 128, 255, 0, 64])
  }

  @Test func quantizeRoundsHalfUpAfterClamping() {
    let xs: [Float] = [-1, 0, 0.1, 0.25, 0.5, 0.999, 1, 7, .nan, .infinity, -.infinity]
    for x in xs {
      let c = x.isNaN ? 0 : min(max(Double(x), 0), 1)
      #expect(Int(Quantize.toUInt8(x)) == Int((c * 255 + 0.5).rounded(.down)), "x = \(x)")
      #expect(Int(Quantize.toUInt16(x)) == Int((c * 65535 + 0.5).rounded(.down)), "x = \(x)")
    }
    #expect(Quantize.toUInt8(0.5) == 128 && Quantize.toUInt16(0.5) == 32768)
    #expect(Quantize.toUInt8(Float(100.5 / 255)) == 101)
  }

  @Test func rejectsUnsupportedBitDepth() {
    let image = Image(rgb: Tensor(channels: 3, height: 2, width: 2))
    #expect(throws: PNGError.unsupportedBitDepth(12)) { try PNGCodec.encode(image, bitDepth: 12) }
  }

  @Test func writeThenReadRoundTrips() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let image = Image(rgb: levelTensor(3, 3, 4, maxval: 65535, seed: 31))
    try PNGCodec.write(image, to: dir + "/out.png", bitDepth: 16)
    #expect(try PNGCodec.read(contentsOf: dir + "/out.png").rgb == image.rgb)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.png"])
  }

  @Test func writeIntoMissingFolderFailsAndLeavesNoFile() {
    let path = "/nonexistent-srimage-dir/out.png"
    #expect(throws: PNGError.cannotWrite(path: path, reason: "No such file or directory")) {
      try PNGCodec.write(Image(rgb: Tensor(channels: 3, height: 2, width: 2)), to: path)
    }
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test func failedRenameRemovesTheTemporaryFile() throws {
    // The target is an existing non-empty directory, so rename(2) fails after the bytes were written.
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir + "/out.png/inner",
                                            withIntermediateDirectories: true)
    #expect(throws: PNGError.self) {
      try PNGCodec.write(Image(rgb: Tensor(channels: 3, height: 2, width: 2)), to: dir + "/out.png")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.png"])
  }
}
