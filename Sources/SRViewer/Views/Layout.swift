/// An integer display scale: displayed = source * `up` / `down` (one of them is 1).
public struct Zoom: Sendable, Hashable, CustomStringConvertible {
  /// Magnification factor (pixel replication).
  public var up: Int
  /// Reduction factor (nearest subsampling).
  public var down: Int
  /// Creates a zoom.
  public init(up: Int, down: Int) { self.up = up; self.down = down }
  /// `3x` or `1/2x`.
  public var description: String { down == 1 ? "\(up)x" : "1/\(down)x" }
}

/// Where one panel goes, in cells, and how big its picture is in device pixels.
public struct PanelFrame: Sendable, Hashable {
  /// Row of the first label line (the name).
  public var labelRow: Int
  /// Left column of the panel.
  public var col: Int
  /// Width of the panel in cells.
  public var width: Int
  /// Row where the picture starts.
  public var imageRow: Int
  /// Column where the picture starts (centred in the panel).
  public var imageCol: Int
  /// Cells the picture covers.
  public var imageCells: CellSize
  /// The picture's size in device pixels (sixel pixels, or half-block pixels).
  public var imagePixels: PixelSize
  /// The scale from crop pixels to device pixels.
  public var zoom: Zoom
}

/// The positions of every screen element for one terminal size.
public struct ScreenLayout: Sendable, Hashable {
  /// One frame per panel, in display order.
  public var panels: [PanelFrame]
  /// Row of the error-map legend line.
  public var legendRow: Int
  /// Row of the metric table header.
  public var tableRow: Int
  /// Number of model rows the table can show.
  public var tableModelRows: Int
  /// Row of the status bar (always the last row).
  public var statusRow: Int
}

/// Panel geometry from the terminal size, or a message saying the terminal is too small.
public enum Layout: Sendable, Hashable {
  /// The screen is big enough.
  case screen(ScreenLayout)
  /// The screen is too small; the message says what is needed.
  case tooSmall(String)

  /// Minimum terminal size, in cells.
  public static let minimum = CellSize(rows: 12, cols: 40)
  /// Smallest panel, in cells (two label rows plus three picture rows).
  static let minPanel = CellSize(rows: 5, cols: 12)

  /// Computes the layout.
  /// - Parameters:
  ///   - terminal: the terminal size in cells.
  ///   - pixelsPerCell: device pixels per cell (cell pixel size for sixel, 1x2 for half-blocks).
  ///   - panelCount: number of picture panels.
  ///   - crop: the crop size in HR pixels.
  ///   - modelCount: rows wanted by the metric table.
  ///   - bandHeight: picture heights are cut to a multiple of this (6 for sixel, 2 for half-blocks).
  public static func compute(terminal: CellSize, pixelsPerCell: PixelSize, panelCount: Int,
                             crop: PixelSize, modelCount: Int, bandHeight: Int) -> Layout {
    guard terminal.rows >= minimum.rows, terminal.cols >= minimum.cols else {
      return .tooSmall("Terminal too small: \(terminal.cols)x\(terminal.rows), need at least "
        + "\(minimum.cols)x\(minimum.rows). Enlarge the window or press q.")
    }
    let statusRow = terminal.rows - 1
    let tableModelRows = max(1, min(modelCount, (terminal.rows - 8) / 3))
    let tableRow = statusRow - 1 - tableModelRows
    let legendRow = tableRow - 1
    let area = CellSize(rows: legendRow - 1, cols: terminal.cols)  // rows 1 ..< legendRow
    var best: (score: Int, frames: [PanelFrame])?
    for gridCols in 1...max(1, panelCount) {
      guard let frames = grid(area: area, gridCols: gridCols, count: panelCount, pixelsPerCell: pixelsPerCell,
                              crop: crop, bandHeight: bandHeight) else { continue }
      let score = frames.first.map { $0.imagePixels.width * $0.imagePixels.height } ?? 0
      if let b = best, b.score >= score { continue }
      best = (score, frames)
    }
    guard let frames = best?.frames else {
      return .tooSmall("Terminal too small for \(panelCount) panels: \(terminal.cols)x\(terminal.rows). "
        + "Hide models (1-9), use blink (space) or enlarge the window.")
    }
    return .screen(ScreenLayout(panels: frames, legendRow: legendRow, tableRow: tableRow,
                                tableModelRows: tableModelRows, statusRow: statusRow))
  }

  static func grid(area: CellSize, gridCols: Int, count: Int, pixelsPerCell px: PixelSize, crop: PixelSize,
                   bandHeight: Int) -> [PanelFrame]? {
    let gridRows = (count + gridCols - 1) / gridCols
    let width = (area.cols - (gridCols - 1)) / gridCols
    let height = (area.rows - (gridRows - 1)) / gridRows
    guard width >= minPanel.cols, height >= minPanel.rows, crop.width > 0, crop.height > 0 else { return nil }
    let avail = PixelSize(width: width * px.width, height: (height - 2) * px.height / bandHeight * bandHeight)
    let zoom = fit(crop, into: avail)
    var shown = PixelSize(width: crop.width * zoom.up / zoom.down, height: crop.height * zoom.up / zoom.down)
    shown.height = shown.height / bandHeight * bandHeight
    guard shown.width > 0, shown.height > 0 else { return nil }
    let cells = CellSize(rows: (shown.height + px.height - 1) / px.height, cols: (shown.width + px.width - 1) / px.width)
    return (0..<count).map { i in
      let col = (i % gridCols) * (width + 1), row = 1 + (i / gridCols) * (height + 1)
      return PanelFrame(labelRow: row, col: col, width: width, imageRow: row + 2,
                        imageCol: col + (width - cells.cols) / 2, imageCells: cells, imagePixels: shown, zoom: zoom)
    }
  }

  /// The largest integer magnification that fits, or the smallest integer reduction.
  static func fit(_ crop: PixelSize, into avail: PixelSize) -> Zoom {
    let up = min(avail.width / crop.width, avail.height / crop.height)
    if up >= 1 { return Zoom(up: min(up, 16), down: 1) }
    let down = max((crop.width + avail.width - 1) / max(1, avail.width),
                   (crop.height + avail.height - 1) / max(1, avail.height))
    return Zoom(up: 1, down: max(1, down))
  }
}
