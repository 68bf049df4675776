import SRTensor
import Testing

@testable import SRImage

/// What a fixture must decode to: integer levels over `maxval` (see Scripts/image_reference.py).
struct DecodeCase: Sendable, CustomStringConvertible {
  let name: String
  let width: Int, height: Int
  let colorType: PNGColorType, depth: Int
  /// Decoded levels are over this maximum (255 for <= 8-bit sources, 65535 for 16-bit).
  let maxval: Int
  /// Expected level of colour channel c (0...2) at (y, x).
  let rgb: @Sendable (Int, Int, Int) -> Int
  /// Expected alpha level at (y, x), nil when the image has no alpha.
  let alpha: (@Sendable (Int, Int) -> Int)?
  var description: String { name }

  static let s = Fixtures.sample
  static func gray(_ name: String, _ bits: Int, width: Int = 7, height: Int = 5) -> DecodeCase {
    // libpng expands 1/2/4-bit gray to 8 bit by v * 255 / (2^bits - 1) (exact integers).
    let factor = bits < 8 ? 255 / ((1 << bits) - 1) : 1
    return DecodeCase(name: name, width: width, height: height, colorType: .gray, depth: bits,
                      maxval: bits == 16 ? 65535 : 255,
                      rgb: { _, y, x in s(0, y, x, bits) * factor }, alpha: nil)
  }
  static func color(_ name: String, _ type: PNGColorType, _ bits: Int) -> DecodeCase {
    let gray = type == .grayAlpha
    return DecodeCase(name: name, width: 7, height: 5, colorType: type, depth: bits,
                      maxval: (1 << bits) - 1,
                      rgb: { c, y, x in s(gray ? 0 : c, y, x, bits) },
                      alpha: { y, x in s(gray ? 1 : 3, y, x, bits) })
  }
}

let decodeCases: [DecodeCase] = {
  let s = Fixtures.sample
  var cases = [DecodeCase.gray("gray1", 1, width: 11, height: 3), .gray("gray2", 2),
               .gray("gray4", 4), .gray("gray8", 8), .gray("gray16", 16),
               .color("graya8", .grayAlpha, 8), .color("graya16", .grayAlpha, 16),
               .color("rgba8", .rgba, 8), .color("rgba16", .rgba, 16)]
  for (name, bits) in [("rgb8", 8), ("rgb16", 16), ("rgb8_adam7", 8)] {
    cases.append(DecodeCase(name: name, width: 7, height: 5, colorType: .rgb, depth: bits,
                            maxval: (1 << bits) - 1, rgb: { c, y, x in s(c, y, x, bits) }, alpha: nil))
  }
  for (name, bits) in [("gray8_trns", 8), ("gray16_trns", 16)] {
    let maxval = (1 << bits) - 1
    cases.append(DecodeCase(name: name, width: 7, height: 5, colorType: .gray, depth: bits,
                            maxval: maxval, rgb: { _, y, x in s(0, y, x, bits) },
                            alpha: { y, x in s(0, y, x, bits) == s(0, 1, 2, bits) ? 0 : maxval }))
  }
  cases.append(DecodeCase(name: "rgb8_trns", width: 7, height: 5, colorType: .rgb, depth: 8,
                          maxval: 255, rgb: { c, y, x in s(c, y, x, 8) },
                          alpha: { y, x in (0..<3).allSatisfy { s($0, y, x, 8) == s($0, 1, 2, 8) } ? 0 : 255 }))
  cases.append(DecodeCase(name: "pal8", width: 7, height: 5, colorType: .palette, depth: 8,
                          maxval: 255, rgb: { c, y, x in Fixtures.paletteEntry(s(0, y, x, 8) % 200, c) },
                          alpha: nil))
  cases.append(DecodeCase(name: "pal4_trns", width: 7, height: 5, colorType: .palette, depth: 4,
                          maxval: 255, rgb: { c, y, x in Fixtures.paletteEntry(s(0, y, x, 4), c) },
                          alpha: { y, x in s(0, y, x, 4) < 5 ? Fixtures.paletteAlpha(s(0, y, x, 4)) : 255 }))
  return cases
}()

@Suite struct PNGDecodeTests {
  @Test(arguments: decodeCases)
  func decodesFixtureToKnownLevels(_ fixture: DecodeCase) throws {
    let image = try PNGCodec.decode(try Fixtures.bytes(fixture.name))
    #expect(image.width == fixture.width && image.height == fixture.height)
    #expect(image.rgb.shape == [3, fixture.height, fixture.width])
    #expect(image.sourceColorType == fixture.colorType)
    #expect(image.sourceBitDepth == fixture.depth)
    #expect(image.isGray == (fixture.colorType == .gray || fixture.colorType == .grayAlpha))
    let m = Float(fixture.maxval)
    var mismatches: [String] = []
    for y in 0..<fixture.height {
      for x in 0..<fixture.width {
        for c in 0..<3 where image.rgb[c, y, x] != Float(fixture.rgb(c, y, x)) / m {
          mismatches.append("rgb[\(c),\(y),\(x)] = \(image.rgb[c, y, x] * m), want \(fixture.rgb(c, y, x))")
        }
        if let alphaLevel = fixture.alpha, let alpha = image.alpha,
           alpha[0, y, x] != Float(alphaLevel(y, x)) / m {
          mismatches.append("alpha[\(y),\(x)] = \(alpha[0, y, x] * m), want \(alphaLevel(y, x))")
        }
      }
    }
    #expect((image.alpha != nil) == (fixture.alpha != nil))
    #expect(image.alpha.map { $0.shape == [1, fixture.height, fixture.width] } ?? true)
    #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
  }

  @Test func fixturesSpanTheSampleRange() throws {
    // Guards against a fixture that is accidentally constant: gray4 must use all 16 levels.
    let image = try PNGCodec.decode(try Fixtures.bytes("gray4"))
    #expect(Set(image.rgb.data[0..<35].map { Int($0 * 255) }).count == 16)
  }
}
