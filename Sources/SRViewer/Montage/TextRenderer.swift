import CFreeType
import Foundation

/// Draws label text into an `RGBImage`: DejaVu Sans through FreeType (anti-aliased grey coverage
/// blended over what is already there), or the built-in 3x5 `BitmapFont` when the font file
/// cannot be opened. Every call takes the size in pixels (FreeType's pixel size; for the bitmap
/// font the nearest integer scale). Text is never drawn outside `maxWidth`: `fit` truncates with an
/// ellipsis to a measured width and `draw` clips as well.
public final class TextRenderer: @unchecked Sendable {
  /// Debian's `fonts-dejavu-core` (installed by `Scripts/setup.sh`).
  public static let defaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

  /// The renderer the montage uses: DejaVu Sans, or the bitmap font with a note on stderr.
  public static let shared = TextRenderer(fontPath: defaultFontPath) { note in
    FileHandle.standardError.write(Data((note + "\n").utf8))
  }

  /// Whether text comes from FreeType (`false`: the bitmap fallback).
  public var usesFreeType: Bool { face != nil }

  private var library: FT_Library?
  private var face: FT_Face?
  private var glyphCache: [GlyphKey: Glyph] = [:]
  private let lock = NSLock()

  /// Opens `fontPath` with FreeType; if that fails, uses the bitmap font and passes one line to `note`.
  public init(fontPath: String, note: (String) -> Void = { _ in }) {
    var lib: FT_Library?
    guard FT_Init_FreeType(&lib) == 0, let lib else {
      note("montage: FreeType failed to start; labels use the built-in upper-case bitmap font")
      return
    }
    var f: FT_Face?
    guard FileManager.default.isReadableFile(atPath: fontPath), FT_New_Face(lib, fontPath, 0, &f) == 0, let f else {
      FT_Done_FreeType(lib)
      note("montage: cannot open \(fontPath); labels use the built-in upper-case bitmap font"
        + " (apt install fonts-dejavu-core)")
      return
    }
    library = lib
    face = f
  }

  deinit {
    if let face { FT_Done_Face(face) }
    if let library { FT_Done_FreeType(library) }
  }

  /// Height of one line of text at `size` (baseline to baseline).
  public func lineHeight(size: Int) -> Int {
    locked {
      guard let face, setSize(size) else { return (BitmapFont.glyphHeight + 2) * bitmapScale(size) }
      return Int((face.pointee.size.pointee.metrics.height + 63) >> 6)
    }
  }

  /// Width in pixels `text` covers when drawn at `size` (the advance, or the ink if it reaches further).
  public func width(_ text: String, size: Int) -> Int {
    locked { measure(text, size: size) }
  }

  /// `text` if it fits in `maxWidth` pixels, else its longest prefix followed by an ellipsis that
  /// fits (an empty string when not even the ellipsis fits).
  public func fit(_ text: String, size: Int, maxWidth: Int) -> String {
    locked {
      if measure(text, size: size) <= maxWidth { return text }
      let ellipsis = usesFreeType ? "\u{2026}" : "..."
      var chars = Array(text)
      while !chars.isEmpty {
        chars.removeLast()
        let candidate = String(chars).trimmingCharacters(in: .whitespaces) + ellipsis
        if measure(candidate, size: size) <= maxWidth { return candidate }
      }
      return measure(ellipsis, size: size) <= maxWidth ? ellipsis : ""
    }
  }

  /// Draws `text` with the top of its line box at (`x`, `y`), truncated by `fit` to `maxWidth` and
  /// clipped to `x ..< x + maxWidth`. Returns the string actually drawn.
  @discardableResult
  public func draw(_ text: String, into image: inout RGBImage, x: Int, y: Int, size: Int, maxWidth: Int,
                   color: (UInt8, UInt8, UInt8)) -> String {
    let shown = fit(text, size: size, maxWidth: maxWidth)
    let clip = max(0, x)..<min(image.width, x + maxWidth)
    locked {
      guard let face, setSize(size) else {
        let scale = bitmapScale(size)
        var strip = RGBImage(width: maxWidth, height: (BitmapFont.glyphHeight + 2) * scale)
        BitmapFont.draw(Self.ascii(shown), into: &strip, x: 0, y: scale, scale: scale, color: (255, 255, 255))
        blend(coverage: strip, into: &image, x: x, y: y, clip: clip, color: color)
        return
      }
      let ascender = Int((face.pointee.size.pointee.metrics.ascender + 63) >> 6)
      var pen = 0
      var previous: UInt32 = 0
      for scalar in shown.unicodeScalars {
        guard let g = glyph(scalar, size: size) else { continue }
        pen += kerning(previous, g.index)
        previous = g.index
        for row in 0..<g.rows {
          let py = y + ascender - g.top + row
          guard py >= 0, py < image.height else { continue }
          for col in 0..<g.width {
            let px = x + pen + g.left + col
            let a = g.coverage[row * g.width + col]
            guard a > 0, clip.contains(px) else { continue }
            image[px, py] = Self.mix(image[px, py], color, a)
          }
        }
        pen += g.advance
      }
    }
    return shown
  }

  // MARK: - Internals (all called with the lock held)

  private struct GlyphKey: Hashable { var scalar: UInt32, size: Int }
  private struct Glyph {
    var index: UInt32, width: Int, rows: Int, left: Int, top: Int, advance: Int, coverage: [UInt8]
  }

  private func locked<T>(_ body: () -> T) -> T {
    lock.lock()
    defer { lock.unlock() }
    return body()
  }

  private func setSize(_ size: Int) -> Bool {
    guard let face else { return false }
    return FT_Set_Pixel_Sizes(face, 0, FT_UInt(max(1, size))) == 0
  }

  private func bitmapScale(_ size: Int) -> Int { max(1, (size + 3) / (BitmapFont.glyphHeight + 2)) }

  private func measure(_ text: String, size: Int) -> Int {
    guard face != nil, setSize(size) else { return BitmapFont.width(Self.ascii(text), scale: bitmapScale(size)) }
    var pen = 0, right = 0
    var previous: UInt32 = 0
    for scalar in text.unicodeScalars {
      guard let g = glyph(scalar, size: size) else { continue }
      pen += kerning(previous, g.index)
      previous = g.index
      if g.width > 0 { right = max(right, pen + g.left + g.width) }
      pen += g.advance
    }
    return max(pen, right)
  }

  private func glyph(_ scalar: Unicode.Scalar, size: Int) -> Glyph? {
    let key = GlyphKey(scalar: scalar.value, size: size)
    if let hit = glyphCache[key] { return hit }
    guard let face, srft_render_char(face, FT_ULong(scalar.value)) == 0, let slot = face.pointee.glyph else { return nil }
    let bm = slot.pointee.bitmap
    let w = Int(bm.width), h = Int(bm.rows), pitch = Int(bm.pitch)
    var coverage = [UInt8](repeating: 0, count: w * h)
    if let buffer = bm.buffer, bm.pixel_mode == UInt8(FT_PIXEL_MODE_GRAY.rawValue) {
      for r in 0..<h { for c in 0..<w { coverage[r * w + c] = buffer[r * pitch + c] } }
    }
    let g = Glyph(index: FT_Get_Char_Index(face, FT_ULong(scalar.value)), width: w, rows: h,
                  left: Int(slot.pointee.bitmap_left), top: Int(slot.pointee.bitmap_top),
                  advance: Int((slot.pointee.advance.x + 32) >> 6), coverage: coverage)
    glyphCache[key] = g
    return g
  }

  private func kerning(_ left: UInt32, _ right: UInt32) -> Int {
    guard let face, left != 0, srft_has_kerning(face) != 0 else { return 0 }
    var delta = FT_Vector()
    guard FT_Get_Kerning(face, left, right, FT_KERNING_DEFAULT.rawValue, &delta) == 0 else { return 0 }
    return Int((delta.x + 32) >> 6)
  }

  /// Blends a white-on-black coverage picture (the bitmap font's strip) into `image`.
  private func blend(coverage strip: RGBImage, into image: inout RGBImage, x: Int, y: Int, clip: Range<Int>,
                     color: (UInt8, UInt8, UInt8)) {
    for sy in 0..<strip.height where (0..<image.height).contains(y + sy) {
      for sx in 0..<strip.width where clip.contains(x + sx) {
        let a = strip[sx, sy].0
        if a > 0 { image[x + sx, y + sy] = Self.mix(image[x + sx, y + sy], color, a) }
      }
    }
  }

  /// `background` covered by `color` at opacity `a` / 255 (rounded).
  static func mix(_ background: (UInt8, UInt8, UInt8), _ color: (UInt8, UInt8, UInt8), _ a: UInt8)
    -> (UInt8, UInt8, UInt8)
  {
    let w = Int(a)
    func m(_ b: UInt8, _ c: UInt8) -> UInt8 {
      let sum: Int = Int(b) * (255 - w) + Int(c) * w + 127
      return UInt8(sum / 255)
    }
    return (m(background.0, color.0), m(background.1, color.1), m(background.2, color.2))
  }

  /// The bitmap font's spelling of a few typographic characters the labels use.
  static func ascii(_ text: String) -> String {
    let map: [Character: String] = ["\u{00D7}": "x", "\u{2212}": "-", "\u{2014}": "-", "\u{2013}": "-",
                                    "\u{2026}": "...", "\u{00B7}": ".", "\u{0394}": "D"]
    return text.map { map[$0] ?? String($0) }.joined()
  }
}
