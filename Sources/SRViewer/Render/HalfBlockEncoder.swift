/// Colour depth for half-block output.
public enum BlockColors: Sendable, Hashable {
  /// 24-bit SGR (`38;2;r;g;b`).
  case trueColor
  /// The xterm 256-colour cube and grey ramp (`38;5;n`).
  case palette256
}

/// Encodes a picture as rows of U+2580 (upper half block): foreground = top pixel, background = bottom
/// pixel, so one cell shows two pixels. The output is position-independent: it starts at the cursor,
/// and moves down one row and back left after each cell row (`CSI B`, `CSI n D`).
public enum HalfBlockEncoder {
  /// Encodes `image` (an odd last row repeats its top pixel as the bottom).
  public static func encode(_ image: RGBImage, colors: BlockColors) -> [UInt8] {
    var out: [UInt8] = []
    let cellRows = (image.height + 1) / 2
    for row in 0..<cellRows {
      var fg: [UInt8]? = nil, bg: [UInt8]? = nil
      for x in 0..<image.width {
        let top = image[x, 2 * row]
        let bottom = 2 * row + 1 < image.height ? image[x, 2 * row + 1] : top
        let wantBg = sgr(bottom, background: true, colors)
        if bg != wantBg { out += wantBg; bg = wantBg }
        if top == bottom {
          out.append(0x20)
        } else {
          let wantFg = sgr(top, background: false, colors)
          if fg != wantFg { out += wantFg; fg = wantFg }
          out += [0xE2, 0x96, 0x80]  // U+2580
        }
      }
      out += Array("\u{1B}[0m".utf8)
      if row + 1 < cellRows { out += Array("\u{1B}[B\u{1B}[\(image.width)D".utf8) }
    }
    return out
  }

  /// The SGR sequence selecting a foreground or background colour.
  static func sgr(_ c: (UInt8, UInt8, UInt8), background: Bool, _ colors: BlockColors) -> [UInt8] {
    let which = background ? 48 : 38
    switch colors {
    case .trueColor: return Array("\u{1B}[\(which);2;\(c.0);\(c.1);\(c.2)m".utf8)
    case .palette256: return Array("\u{1B}[\(which);5;\(xterm256(c))m".utf8)
    }
  }

  /// The nearest xterm-256 index: the 6x6x6 cube (16 + 36r + 6g + b, levels 0,95,135,175,215,255)
  /// or the grey ramp (232 + i, level 8 + 10i), whichever is closer in squared RGB distance.
  public static func xterm256(_ c: (UInt8, UInt8, UInt8)) -> Int {
    let levels = [0, 95, 135, 175, 215, 255]
    func nearestLevel(_ v: UInt8) -> Int {
      var best = 0
      for i in 1..<6 where abs(levels[i] - Int(v)) < abs(levels[best] - Int(v)) { best = i }
      return best
    }
    let (r, g, b) = (nearestLevel(c.0), nearestLevel(c.1), nearestLevel(c.2))
    let cube = (levels[r], levels[g], levels[b])
    let mean = (Int(c.0) + Int(c.1) + Int(c.2)) / 3
    let greyIndex = max(0, min(23, (mean - 8 + 5) / 10))
    let grey = 8 + 10 * greyIndex
    func dist(_ a: (Int, Int, Int)) -> Int {
      let d0 = a.0 - Int(c.0), d1 = a.1 - Int(c.1), d2 = a.2 - Int(c.2)
      return d0 * d0 + d1 * d1 + d2 * d2
    }
    return dist((grey, grey, grey)) < dist(cube) ? 232 + greyIndex : 16 + 36 * r + 6 * g + b
  }
}
