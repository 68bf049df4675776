/// A tiny 3x5 pixel font (upper case, digits, common punctuation) for labels in exported PNGs.
/// Lower-case letters are drawn as upper case; unknown characters as a box.
public enum BitmapFont {
  /// Glyph width in font pixels.
  public static let glyphWidth = 3
  /// Glyph height in font pixels.
  public static let glyphHeight = 5
  /// Each glyph is five rows of three bits, written top to bottom, most significant bit on the left.
  static let glyphs: [Character: [UInt8]] = [
    "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
    "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 2, 2],
    "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
    "A": [2, 5, 7, 5, 5], "B": [6, 5, 6, 5, 6], "C": [3, 4, 4, 4, 3], "D": [6, 5, 5, 5, 6],
    "E": [7, 4, 6, 4, 7], "F": [7, 4, 6, 4, 4], "G": [3, 4, 5, 5, 3], "H": [5, 5, 7, 5, 5],
    "I": [7, 2, 2, 2, 7], "J": [1, 1, 1, 5, 2], "K": [5, 5, 6, 5, 5], "L": [4, 4, 4, 4, 7],
    "M": [5, 7, 7, 5, 5], "N": [6, 5, 5, 5, 5], "O": [2, 5, 5, 5, 2], "P": [6, 5, 6, 4, 4],
    "Q": [2, 5, 5, 6, 3], "R": [6, 5, 6, 5, 5], "S": [3, 4, 2, 1, 6], "T": [7, 2, 2, 2, 2],
    "U": [5, 5, 5, 5, 7], "V": [5, 5, 5, 5, 2], "W": [5, 5, 7, 7, 5], "X": [5, 5, 2, 5, 5],
    "Y": [5, 5, 2, 2, 2], "Z": [7, 1, 2, 4, 7],
    " ": [0, 0, 0, 0, 0], ".": [0, 0, 0, 0, 2], ",": [0, 0, 0, 2, 4], ":": [0, 2, 0, 2, 0],
    "-": [0, 0, 7, 0, 0], "+": [0, 2, 7, 2, 0], "=": [0, 7, 0, 7, 0], "_": [0, 0, 0, 0, 7],
    "/": [1, 1, 2, 4, 4], "|": [2, 2, 2, 2, 2], "(": [1, 2, 2, 2, 1], ")": [4, 2, 2, 2, 4],
    "[": [3, 2, 2, 2, 3], "]": [6, 2, 2, 2, 6], "%": [5, 1, 2, 4, 5], "*": [0, 5, 2, 5, 0],
    "<": [1, 2, 4, 2, 1], ">": [4, 2, 1, 2, 4], "~": [0, 3, 6, 0, 0], "'": [2, 2, 0, 0, 0],
    "#": [5, 7, 5, 7, 5], "!": [2, 2, 2, 0, 2], "?": [7, 1, 2, 0, 2], "@": [7, 5, 7, 4, 7],
  ]
  static let unknown: [UInt8] = [7, 5, 5, 5, 7]

  /// The rows of a character's glyph.
  public static func glyph(_ c: Character) -> [UInt8] {
    glyphs[Character(c.uppercased())] ?? glyphs[c] ?? unknown
  }

  /// Width in image pixels of `text` at `scale` (one blank font column between glyphs).
  public static func width(_ text: String, scale: Int) -> Int {
    text.isEmpty ? 0 : (text.count * (glyphWidth + 1) - 1) * scale
  }

  /// Draws `text` into `image` with its top-left at (x, y), `scale` image pixels per font pixel.
  public static func draw(_ text: String, into image: inout RGBImage, x: Int, y: Int, scale: Int,
                          color: (UInt8, UInt8, UInt8)) {
    for (i, ch) in text.enumerated() {
      let rows = glyph(ch)
      let gx = x + i * (glyphWidth + 1) * scale
      for (r, bits) in rows.enumerated() {
        for c in 0..<glyphWidth where bits & (1 << (glyphWidth - 1 - c)) != 0 {
          for dy in 0..<scale {
            for dx in 0..<scale {
              let px = gx + c * scale + dx, py = y + r * scale + dy
              if px >= 0, py >= 0, px < image.width, py < image.height { image[px, py] = color }
            }
          }
        }
      }
    }
  }
}
