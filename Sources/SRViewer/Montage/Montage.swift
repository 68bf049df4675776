import SRImage
import SRTensor

/// A labelled side-by-side composition of panels, for export as PNG.
public enum Montage {
  /// One tile: its picture and up to two label lines.
  public struct Tile: Sendable {
    /// The picture.
    public var image: RGBImage
    /// Label lines drawn above the picture.
    public var labels: [String]
    /// Creates a tile.
    public init(image: RGBImage, labels: [String]) { self.image = image; self.labels = labels }
  }

  /// Gap between tiles and around the edge, in pixels.
  public static let gap = 8
  /// Font scale for labels (3x5 glyphs become 6x10).
  public static let fontScale = 2

  /// Composes tiles left to right on a dark background with white labels above each one.
  public static func compose(_ tiles: [Tile]) -> RGBImage {
    let lineHeight = (BitmapFont.glyphHeight + 2) * fontScale
    let labelLines = tiles.map(\.labels.count).max() ?? 0
    let labelBand = labelLines * lineHeight + (labelLines > 0 ? fontScale : 0)
    let widths = tiles.map { max($0.image.width, $0.labels.map { BitmapFont.width($0, scale: fontScale) }.max() ?? 0) }
    let width = widths.reduce(gap) { $0 + $1 + gap }
    let height = gap + labelBand + (tiles.map(\.image.height).max() ?? 0) + gap
    var out = RGBImage(width: width, height: height, fill: (24, 24, 24))
    var x = gap
    for (tile, w) in zip(tiles, widths) {
      for (i, line) in tile.labels.enumerated() {
        BitmapFont.draw(line, into: &out, x: x, y: gap + i * lineHeight, scale: fontScale,
                        color: i == 0 ? (255, 255, 255) : (200, 200, 200))
      }
      out.paste(tile.image, x: x, y: gap + labelBand)
      x += w + gap
    }
    return out
  }

  /// Writes a montage as an 8-bit RGB PNG through SRImage.
  /// - Throws: whatever `PNGCodec.write` throws (path not writable, encoder failure).
  public static func writePNG(_ image: RGBImage, to path: String) throws {
    try PNGCodec.write(Image(rgb: image.tensor), to: path)
  }
}
