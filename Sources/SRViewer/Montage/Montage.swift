import SRImage
import SRTensor

/// The colours of an exported montage.
public enum MontageTheme: String, Sendable, CaseIterable {
  /// White background, dark text (for papers; the default).
  case light
  /// Near-black background, light text (for slides).
  case dark

  /// Page colour.
  public var background: (UInt8, UInt8, UInt8) { self == .light ? (255, 255, 255) : (18, 18, 18) }
  /// Names and the title.
  public var text: (UInt8, UInt8, UInt8) { self == .light ? (17, 17, 17) : (238, 238, 238) }
  /// Metric lines and captions.
  public var secondaryText: (UInt8, UInt8, UInt8) { self == .light ? (85, 85, 85) : (170, 170, 170) }
  /// A 1 px line just outside error maps and the colour bar, whose zero end is black: needed on
  /// the dark page only (`nil` on the light one).
  public var mapFrame: (UInt8, UInt8, UInt8)? { self == .light ? nil : (96, 96, 96) }
}

/// A labelled grid of equally sized cells, for export as PNG: a title row, then rows of pictures,
/// each with a fixed-height label band below, and optionally, under every row of pictures, a row of
/// error maps aligned with them (one colour-bar legend in the first map cell).
public enum Montage {
  /// One cell: a picture (centred in the cell; `nil` leaves the cell empty) and its label lines
  /// (the first in the text colour, the others in the secondary colour).
  public struct Tile: Sendable {
    /// The picture, at most the sheet's cell size.
    public var picture: RGBImage?
    /// Label lines, drawn below the picture, each truncated to the cell width.
    public var labels: [String]
    /// Creates a tile.
    public init(picture: RGBImage?, labels: [String]) { self.picture = picture; self.labels = labels }
  }

  /// A horizontal colour bar from 0 to `scaleMax` with tick values, drawn in an otherwise empty map cell.
  public struct Legend: Sendable {
    /// What the colours measure (the label under the bar's cell).
    public var caption: String
    /// The value at the right end of the bar.
    public var scaleMax: Float
    /// Creates a legend.
    public init(caption: String, scaleMax: Float) { self.caption = caption; self.scaleMax = scaleMax }
  }

  /// Everything a montage shows.
  public struct Sheet: Sendable {
    /// One line above the grid.
    public var title: String
    /// Size of every picture cell.
    public var cell: PixelSize
    /// The picture cells, in reading order.
    public var tiles: [Tile]
    /// Empty for no map rows, else one entry per tile (`nil`: nothing under that picture).
    public var maps: [Tile?]
    /// Drawn in the first empty cell of the first map row.
    public var legend: Legend?
    /// Colours.
    public var theme: MontageTheme
    /// Label text size in pixels (the title is 4 px larger).
    public var textSize: Int
    /// Cells per row.
    public var columns: Int
    /// Creates a sheet.
    public init(title: String, cell: PixelSize, tiles: [Tile], maps: [Tile?] = [], legend: Legend? = nil,
                theme: MontageTheme = .light, textSize: Int = 14, columns: Int) {
      self.title = title; self.cell = cell; self.tiles = tiles; self.maps = maps; self.legend = legend
      self.theme = theme; self.textSize = textSize; self.columns = max(1, columns)
    }
  }

  /// Where everything goes (pixels; origins are top-left corners).
  public struct Geometry: Sendable, Equatable {
    /// Outer margin, and the gap between cells.
    public var margin: Int, gap: Int
    /// Grid size and cell size.
    public var columns: Int, rows: Int, cell: PixelSize
    /// Title and label text sizes and their line heights.
    public var titleSize: Int, textSize: Int, titleLine: Int, textLine: Int
    /// Space between a picture cell and its first label line.
    public var labelPad: Int
    /// Height of the label band under picture cells and under map cells (0 without maps).
    public var labelBand: Int, mapBand: Int
    /// Top of the first row of cells.
    public var gridTop: Int
    /// Size of the whole montage.
    public var width: Int, height: Int

    /// Vertical distance between two rows of pictures.
    public var rowPitch: Int { cell.height + labelBand + gap + (mapBand > 0 ? cell.height + mapBand + gap : 0) }
    /// Top-left of picture cell `i`.
    public func cellOrigin(_ i: Int) -> (x: Int, y: Int) {
      (margin + (i % columns) * (cell.width + gap), gridTop + (i / columns) * rowPitch)
    }
    /// Top-left of the map cell under picture cell `i`.
    public func mapOrigin(_ i: Int) -> (x: Int, y: Int) {
      let c = cellOrigin(i)
      return (c.x, c.y + cell.height + labelBand + gap)
    }
    /// Top-left of a picture of `size` centred in the cell at `origin`.
    public func centred(_ size: PixelSize, in origin: (x: Int, y: Int)) -> (x: Int, y: Int) {
      (origin.x + (cell.width - size.width) / 2, origin.y + (cell.height - size.height) / 2)
    }
  }

  /// Lays out `sheet` with the line heights of `text`.
  public static func geometry(_ sheet: Sheet, text: TextRenderer) -> Geometry {
    let size = sheet.textSize, titleSize = sheet.textSize + 4
    let line = text.lineHeight(size: size), titleLine = text.lineHeight(size: titleSize)
    let gap = max(8, size), margin = gap, pad = max(3, size / 3)
    let labelLines = sheet.tiles.map(\.labels.count).max() ?? 0
    let mapLines = sheet.maps.isEmpty ? 0 : max(1, sheet.maps.map { $0?.labels.count ?? 0 }.max() ?? 0)
    let columns = min(sheet.columns, max(1, sheet.tiles.count))
    let rows = (sheet.tiles.count + columns - 1) / columns
    var g = Geometry(margin: margin, gap: gap, columns: columns, rows: rows, cell: sheet.cell,
                     titleSize: titleSize, textSize: size, titleLine: titleLine, textLine: line, labelPad: pad,
                     labelBand: pad + labelLines * line, mapBand: sheet.maps.isEmpty ? 0 : pad + mapLines * line,
                     gridTop: margin + titleLine + gap, width: 0, height: 0)
    g.width = 2 * margin + columns * sheet.cell.width + (columns - 1) * gap
    g.height = g.gridTop + rows * g.rowPitch - gap + margin
    return g
  }

  /// Composes the sheet into one picture.
  public static func compose(_ sheet: Sheet, text: TextRenderer = .shared) -> RGBImage {
    let g = geometry(sheet, text: text)
    let theme = sheet.theme
    var out = RGBImage(width: g.width, height: g.height, fill: theme.background)
    text.draw(sheet.title, into: &out, x: g.margin, y: g.margin, size: g.titleSize, maxWidth: g.width - 2 * g.margin,
              color: theme.text)
    for (i, tile) in sheet.tiles.enumerated() {
      draw(tile, at: g.cellOrigin(i), geometry: g, into: &out, text: text, theme: theme)
      guard sheet.maps.indices.contains(i) else { continue }
      let origin = g.mapOrigin(i)
      if let map = sheet.maps[i] {
        draw(map, at: origin, geometry: g, into: &out, text: text, theme: theme, framed: true)
      } else if let legend = sheet.legend, i == sheet.maps.firstIndex(where: { $0 == nil }), i < g.columns {
        drawLegend(legend, at: origin, geometry: g, into: &out, text: text, theme: theme)
      }
    }
    return out
  }

  static func draw(_ tile: Tile, at origin: (x: Int, y: Int), geometry g: Geometry, into out: inout RGBImage,
                   text: TextRenderer, theme: MontageTheme, framed: Bool = false) {
    if let p = tile.picture {
      let at = g.centred(PixelSize(width: p.width, height: p.height), in: origin)
      out.paste(p, x: at.x, y: at.y)
      if framed, let colour = theme.mapFrame { frame(&out, x: at.x, y: at.y, width: p.width, height: p.height, colour) }
    }
    for (k, line) in tile.labels.enumerated() {
      text.draw(line, into: &out, x: origin.x, y: origin.y + g.cell.height + g.labelPad + k * g.textLine,
                size: g.textSize, maxWidth: g.cell.width, color: k == 0 ? theme.text : theme.secondaryText)
    }
  }

  /// The colour bar at the bottom of the cell, with 0, the middle and the maximum under it and the
  /// caption in the label band, like a picture's name. A cell too short for the tick values gets
  /// the bar alone and the range in the caption.
  static func drawLegend(_ legend: Legend, at origin: (x: Int, y: Int), geometry g: Geometry,
                         into out: inout RGBImage, text: TextRenderer, theme: MontageTheme) {
    let inset = min(g.textSize, g.cell.width / 8)
    let barWidth = g.cell.width - 2 * inset, barHeight = min(g.cell.height, max(8, g.textSize))
    let ticksFit = g.cell.height >= barHeight + 3 + g.textLine
    let range = "0\u{2013}" + String(format: "%g", legend.scaleMax)
    text.draw(ticksFit ? legend.caption : legend.caption + ", " + range, into: &out, x: origin.x,
              y: origin.y + g.cell.height + g.labelPad, size: g.textSize, maxWidth: g.cell.width, color: theme.text)
    guard barWidth >= 8 else { return }
    let barX = origin.x + inset
    let barY = origin.y + (ticksFit ? g.cell.height - barHeight - 3 - g.textLine : (g.cell.height - barHeight) / 2)
    out.paste(Colormap.legendBar(width: barWidth, height: barHeight), x: barX, y: barY)
    if let colour = theme.mapFrame { frame(&out, x: barX, y: barY, width: barWidth, height: barHeight, colour) }
    guard ticksFit else { return }
    let ticks = [0, legend.scaleMax / 2, legend.scaleMax].map { String(format: "%g", $0) }
    for (k, tick) in ticks.enumerated() {
      let x = barX + (barWidth - 1) * k / 2
      for y in (barY + barHeight)..<(barY + barHeight + 3) { out[x, y] = theme.text }
      let w = text.width(tick, size: g.textSize)
      let left = min(max(x - w / 2, origin.x), origin.x + g.cell.width - w)
      text.draw(tick, into: &out, x: left, y: barY + barHeight + 3, size: g.textSize,
                maxWidth: origin.x + g.cell.width - left, color: theme.secondaryText)
    }
  }

  /// A 1 px rectangle just outside the `width` x `height` area at (`x`, `y`), clipped (it lies in
  /// the gap between cells, which is at least 8 px).
  static func frame(_ out: inout RGBImage, x: Int, y: Int, width: Int, height: Int, _ colour: (UInt8, UInt8, UInt8)) {
    for px in (x - 1)...(x + width) where (0..<out.width).contains(px) {
      for py in [y - 1, y + height] where (0..<out.height).contains(py) { out[px, py] = colour }
    }
    for py in y..<(y + height) where (0..<out.height).contains(py) {
      for px in [x - 1, x + width] where (0..<out.width).contains(px) { out[px, py] = colour }
    }
  }

  /// Writes a montage as an 8-bit RGB PNG through SRImage.
  /// - Throws: whatever `PNGCodec.write` throws (path not writable, encoder failure).
  public static func writePNG(_ image: RGBImage, to path: String) throws {
    try PNGCodec.write(Image(rgb: image.tensor), to: path)
  }
}
