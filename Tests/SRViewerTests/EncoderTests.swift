import Testing
@testable import SRViewer

/// A minimal independent sixel decoder (palette `#i;2;r;g;b` in percent, `#i` select, `!n` repeat,
/// `$` carriage return, `-` next band) used to check libsixel's output.
func decodeSixel(_ bytes: [UInt8], width: Int, height: Int) -> [[(Int, Int, Int)]] {
  var img = Array(repeating: Array(repeating: (-1, -1, -1), count: width), count: height)
  var palette: [Int: (Int, Int, Int)] = [:]
  let s = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
  guard let q = s.firstIndex(of: "q") else { return img }
  var i = q + 1, x = 0, band = 0, color = 0
  func number() -> Int { var n = 0; while i < s.count, let d = Int(String(s[i])) { n = n * 10 + d; i += 1 }; return n }
  while i < s.count {
    let c = s[i]
    if c == "\"" { i += 1; for _ in 0..<4 { _ = number(); if i < s.count, s[i] == ";" { i += 1 } }; continue }
    if c == "#" {
      i += 1; color = number()
      if i < s.count, s[i] == ";" {
        i += 1; _ = number(); i += 1; let r = number(); i += 1; let g = number(); i += 1; let b = number()
        palette[color] = ((r * 255 + 50) / 100, (g * 255 + 50) / 100, (b * 255 + 50) / 100)
      }
      continue
    }
    var repeatCount = 1
    if c == "!" { i += 1; repeatCount = number() }
    let ch = s[i]
    if ch == "$" { x = 0 } else if ch == "-" { x = 0; band += 1 } else if (63...126).contains(ch.value) {
      let bits = Int(ch.value) - 63
      for _ in 0..<repeatCount {
        for k in 0..<6 where bits & (1 << k) != 0 && band * 6 + k < height && x < width {
          img[band * 6 + k][x] = palette[color] ?? (-2, -2, -2)
        }
        x += 1
      }
    }
    i += 1
  }
  return img
}

@Suite struct EncoderTests {
  /// Four vertical bars (red, green, blue, white), each `bar` wide, `height` high; the rows from
  /// `blackFrom` down are black.
  func bars(bar: Int, height: Int, blackFrom: Int) -> RGBImage {
    var img = RGBImage(width: 4 * bar, height: height)
    let cols: [(UInt8, UInt8, UInt8)] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]
    for y in 0..<min(height, blackFrom) { for x in 0..<(4 * bar) { img[x, y] = cols[x / bar] } }
    return img
  }

  /// Golden bytes from libsixel's own tool: `img2sixel -d none` (libsixel-bin 1.10.3) on the same
  /// picture saved as PNG (`convert -size 1x5 xc:red xc:lime xc:blue xc:white +append
  /// ( -size 4x1 xc:black ) -append t46.png`). libsixel itself merges this tiny palette to two
  /// colours; we only assert we drive it exactly as img2sixel does.
  @Test func sixelMatchesImg2sixelOnA4x6Picture() throws {
    let bytes = try SixelEncoder().encode(bars(bar: 1, height: 6, blackFrom: 5))
    #expect(String(decoding: bytes, as: UTF8.self) == "\u{1B}Pq\"1;1;4;6#0;2;97;0;0#1;2;0;0;97#0~~_~$#1??^\u{1B}\\")
  }

  /// Same for 80x30 bars (`convert -size 20x30 xc:red xc:lime xc:blue xc:white +append`), then decoded
  /// with the independent decoder above: every pixel within 8 levels (percent palette: 100 % -> 97 %).
  @Test func sixelDecodesBackToTheSourceColours() throws {
    let img = bars(bar: 20, height: 30, blackFrom: 30)
    let bytes = try SixelEncoder().encode(img)
    let row = "#0!20~#1!20~#2!20~#3!20~"
    let golden = "\u{1B}Pq\"1;1;80;30#0;2;97;0;0#1;2;0;97;0#2;2;0;0;97#3;2;97;97;97"
      + Array(repeating: row, count: 5).joined(separator: "-") + "\u{1B}\\"
    #expect(String(decoding: bytes, as: UTF8.self) == golden)
    let decoded = decodeSixel(bytes, width: 80, height: 30)
    var worst = 0
    for y in 0..<30 {
      for x in 0..<80 {
        let p = img[x, y], d = decoded[y][x]
        worst = max(worst, abs(d.0 - Int(p.0)), abs(d.1 - Int(p.1)), abs(d.2 - Int(p.2)))
      }
    }
    #expect(worst <= 8, "worst channel error \(worst)")
  }

  @Test func sixelRejectsEmptyPictures() {
    #expect(throws: SixelError.badImage(width: 0, height: 3)) { try SixelEncoder().encode(RGBImage(width: 0, height: 3)) }
  }

  @Test func halfBlocksEmitExactColours() {
    var img = RGBImage(width: 2, height: 4)
    img[0, 0] = (255, 0, 0); img[0, 1] = (0, 0, 255)     // cell (0,0): red over blue -> U+2580
    img[1, 0] = (10, 20, 30); img[1, 1] = (10, 20, 30)   // cell (1,0): equal -> space on bg
    let out = String(decoding: HalfBlockEncoder.encode(img, colors: .trueColor), as: UTF8.self)
    let e = "\u{1B}"
    let expected = "\(e)[48;2;0;0;255m\(e)[38;2;255;0;0m\u{2580}\(e)[48;2;10;20;30m \(e)[0m\(e)[B\(e)[2D"
      + "\(e)[48;2;0;0;0m  \(e)[0m"
    #expect(out == expected)
  }

  @Test(arguments: [((0, 0, 0), 16), ((255, 0, 0), 196), ((255, 255, 255), 231), ((128, 128, 128), 244),
                    ((95, 135, 175), 67), ((8, 8, 8), 232)])
  func xterm256PicksTheNearestEntry(_ c: (Int, Int, Int), _ index: Int) {
    // References: xterm-256 cube 16 + 36r + 6g + b on levels 0,95,135,175,215,255; greys 8 + 10i at 232 + i.
    #expect(HalfBlockEncoder.xterm256((UInt8(c.0), UInt8(c.1), UInt8(c.2))) == index)
  }

  @Test func hotColormapIsFixed() {
    #expect(Colormap.hot(0, scaleMax: 0.25) == (0, 0, 0))
    #expect(Colormap.hot(0.25, scaleMax: 0.25) == (255, 255, 255))
    #expect(Colormap.hot(1, scaleMax: 0.25) == (255, 255, 255))
    #expect(Colormap.hot(0.125, scaleMax: 0.25) == (255, 128, 0))  // t = .5: r 1.5->1, g .5, b 0
  }
}
