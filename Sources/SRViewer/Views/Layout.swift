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

  /// The zooms `+` / `-` step through: reductions 1/8 ... 1/2, then 1x ... 16x.
  public static let ladder: [Zoom] = (2...8).reversed().map { Zoom(up: 1, down: $0) } + (1...16).map { Zoom(up: $0, down: 1) }

  /// `steps` rungs of the ladder above (below, when negative) `self`, clamped to the ladder.
  public func stepped(_ steps: Int) -> Zoom {
    let here = Zoom.ladder.firstIndex(of: self) ?? Zoom.ladder.firstIndex(of: Zoom(up: 1, down: 1))!
    return Zoom.ladder[max(0, min(Zoom.ladder.count - 1, here + steps))]
  }
}

/// Where a picture goes on screen: its top-left cell, the cells it covers, and its size in device
/// pixels (sixel pixels, or half-block pixels).
public struct PicturePlacement: Sendable, Hashable {
  /// Row and column of the picture's top-left cell.
  public var row, col: Int
  /// Cells the picture covers.
  public var cells: CellSize
  /// The picture's size in device pixels.
  public var pixels: PixelSize

  /// Creates a placement.
  public init(row: Int, col: Int, cells: CellSize, pixels: PixelSize) {
    self.row = row; self.col = col; self.cells = cells; self.pixels = pixels
  }

  /// Whether the cell at `row`, `col` lies on the picture.
  public func contains(row r: Int, col c: Int) -> Bool {
    (row..<(row + cells.rows)).contains(r) && (col..<(col + cells.cols)).contains(c)
  }
}

/// Where one panel goes, in cells, and where its picture goes.
public struct PanelFrame: Sendable, Hashable {
  /// The part of `crop` the picture shows: all of it, or its centre when magnified past the space.
  public func visible(_ crop: CropRect) -> CropRect {
    let w = min(crop.width, max(1, picture.pixels.width * zoom.down / zoom.up))
    let h = min(crop.height, max(1, picture.pixels.height * zoom.down / zoom.up))
    return CropRect(x: crop.x + (crop.width - w) / 2, y: crop.y + (crop.height - h) / 2, width: w, height: h)
  }

  /// Row of the first label line (the name).
  public var labelRow: Int
  /// Left column of the panel.
  public var col: Int
  /// Width of the panel in cells.
  public var width: Int
  /// The picture, under the two label lines, centred in the panel.
  public var picture: PicturePlacement
  /// The scale from crop pixels to device pixels.
  public var zoom: Zoom
}

/// Where the run chart goes, right of the metric table: a title line, the y labels (max and min dB)
/// left of the picture, the x labels (first and last iteration) under it.
public struct ChartFrame: Sendable, Hashable {
  /// Row of the title line (the table header row).
  public var titleRow: Int
  /// Left column of the chart block.
  public var col: Int
  /// Width of the chart block in cells.
  public var width: Int
  /// The picture, under the title, after the y labels.
  public var picture: PicturePlacement
  /// Row of the x labels, right under the picture.
  public var axisRow: Int
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
  /// Columns the table may use (the whole width, or up to the chart).
  public var tableWidth: Int
  /// The run chart, when one was asked for and fits.
  public var chart: ChartFrame?
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

  /// Columns of the y labels left of the chart picture (`" 28.31 "`).
  public static let chartLabelCols = 7
  /// Smallest chart block, in cells (title, four picture rows, x labels; labels and 17 picture columns).
  public static let minChart = CellSize(rows: 6, cols: 24)
  /// Rows the chart block gets when the terminal has them to spare (more than the table needs).
  public static let preferredChartRows = 9

  /// Computes the layout.
  /// - Parameters:
  ///   - terminal: the terminal size in cells.
  ///   - pixelsPerCell: device pixels per cell (cell pixel size for sixel, 1x2 for half-blocks).
  ///   - panelCount: number of picture panels.
  ///   - crop: the crop size in HR pixels.
  ///   - modelCount: rows wanted by the metric table.
  ///   - bandHeight: picture heights are cut to a multiple of this (6 for sixel, 2 for half-blocks).
  ///   - chart: whether to place a run chart right of the table. It is left out (`chart == nil`) when
  ///     the columns right of the table are too narrow, or when the rows it needs would make the panel
  ///     pictures smaller; the table never shares columns with it.
  ///   - zoomSteps: magnification steps from the zoom that fits (`+`/`-`); past what fits, the
  ///     picture is cut to the space and shows the centre of the crop.
  ///   - maxPicture: the largest picture the terminal draws (sixel maximum geometry), in device pixels;
  ///     panel and chart pictures are kept within it (`nil`: no limit, half-blocks).
  public static func compute(terminal: CellSize, pixelsPerCell: PixelSize, panelCount: Int,
                             crop: PixelSize, modelCount: Int, bandHeight: Int, chart: Bool = false,
                             zoomSteps: Int = 0, maxPicture: PixelSize? = nil) -> Layout {
    guard terminal.rows >= minimum.rows, terminal.cols >= minimum.cols else {
      return .tooSmall("Terminal too small: \(terminal.cols)x\(terminal.rows), need at least "
        + "\(minimum.cols)x\(minimum.rows). Enlarge the window or press q.")
    }
    let statusRow = terminal.rows - 1
    let naturalRows = max(1, min(modelCount, (terminal.rows - 8) / 3))
    // The bottom block is the table header plus model rows, ending above the status bar; the panels
    // take the rows above it and the legend line.
    func panels(block: Int) -> [PanelFrame]? {
      let legendRow = statusRow - block - 1
      guard legendRow > 1 else { return nil }
      let area = CellSize(rows: legendRow - 1, cols: terminal.cols)
      let fitted = bestGrid(area: area, panelCount: panelCount, pixelsPerCell: pixelsPerCell, crop: crop, bandHeight: bandHeight,
                            maxPicture: maxPicture)
      guard zoomSteps != 0, let auto = fitted?.first?.zoom else { return fitted }
      // A zoom past what fits shows the centre of the crop, in the grid that shows most of it.
      let wanted = auto.stepped(zoomSteps)
      return (1...max(1, panelCount)).compactMap {
        grid(area: area, gridCols: $0, count: panelCount, pixelsPerCell: pixelsPerCell, crop: crop, bandHeight: bandHeight,
             maxPicture: maxPicture, zoom: wanted)
      }.max { a, b in
        (a.first.map { $0.picture.pixels.width * $0.picture.pixels.height } ?? 0)
          < (b.first.map { $0.picture.pixels.width * $0.picture.pixels.height } ?? 0)
      }
    }
    func screen(block: Int, tableModelRows: Int, frames: [PanelFrame], chart: ChartFrame?) -> Layout {
      .screen(ScreenLayout(panels: frames, legendRow: statusRow - block - 1, tableRow: statusRow - block,
                           tableModelRows: tableModelRows, statusRow: statusRow,
                           tableWidth: chart.map { $0.col - 1 } ?? terminal.cols, chart: chart))
    }
    guard let plain = panels(block: naturalRows + 1) else {
      return .tooSmall("Terminal too small for \(panelCount) panels: \(terminal.cols)x\(terminal.rows). "
        + "Hide models (1-9), use blink (space) or enlarge the window.")
    }
    // The chart goes right of the table, in a block of the preferred height, else the minimum one,
    // and only where that leaves the panel pictures as large as without a chart.
    let chartCol = MetricTable.header.count + 2
    if chart, terminal.cols - chartCol >= minChart.cols {
      var tried = Set<Int>()
      for block in [max(naturalRows + 1, preferredChartRows), max(naturalRows + 1, minChart.rows)]
      where tried.insert(block).inserted {
        let frames = block == naturalRows + 1 ? plain : panels(block: block)
        guard let frames, frames.first?.picture.pixels == plain.first?.picture.pixels,
              let frame = chartFrame(top: statusRow - block, rows: block, col: chartCol, width: terminal.cols - chartCol,
                                     pixelsPerCell: pixelsPerCell, bandHeight: bandHeight, maxPicture: maxPicture)
        else { continue }
        return screen(block: block, tableModelRows: max(1, min(modelCount, block - 1)), frames: frames, chart: frame)
      }
    }
    return screen(block: naturalRows + 1, tableModelRows: naturalRows, frames: plain, chart: nil)
  }

  /// The grid (number of columns) that shows the largest pictures, or `nil` if none fits.
  static func bestGrid(area: CellSize, panelCount: Int, pixelsPerCell: PixelSize, crop: PixelSize,
                       bandHeight: Int, maxPicture: PixelSize? = nil) -> [PanelFrame]? {
    var best: (score: Int, frames: [PanelFrame])?
    for gridCols in 1...max(1, panelCount) {
      guard let frames = grid(area: area, gridCols: gridCols, count: panelCount, pixelsPerCell: pixelsPerCell,
                              crop: crop, bandHeight: bandHeight, maxPicture: maxPicture) else { continue }
      let score = frames.first.map { $0.picture.pixels.width * $0.picture.pixels.height } ?? 0
      if let b = best, b.score >= score { continue }
      best = (score, frames)
    }
    return best?.frames
  }

  /// The chart in a block of `rows` x `width` cells at (`top`, `col`): title on the first row, x labels
  /// on the row under the picture, y labels in the first `chartLabelCols` columns.
  static func chartFrame(top: Int, rows: Int, col: Int, width: Int, pixelsPerCell px: PixelSize,
                         bandHeight: Int, maxPicture: PixelSize? = nil) -> ChartFrame? {
    let pictureRows = rows - 2, pictureCols = width - chartLabelCols
    guard rows >= minChart.rows, width >= minChart.cols, px.width > 0, px.height > 0 else { return nil }
    var pixels = PixelSize(width: pictureCols * px.width, height: pictureRows * px.height / bandHeight * bandHeight)
    if let cap = maxPicture { pixels = PixelSize(width: min(pixels.width, cap.width), height: min(pixels.height, cap.height / bandHeight * bandHeight)) }
    guard pixels.width > 0, pixels.height > 0 else { return nil }
    let cells = CellSize(rows: (pixels.height + px.height - 1) / px.height, cols: (pixels.width + px.width - 1) / px.width)
    return ChartFrame(titleRow: top, col: col, width: width,
                      picture: PicturePlacement(row: top + 1, col: col + chartLabelCols, cells: cells, pixels: pixels),
                      axisRow: top + 1 + cells.rows)
  }

  /// The panels in `gridCols` columns, at `zoom` (nil: the largest that fits), or nil when they
  /// do not fit.
  static func grid(area: CellSize, gridCols: Int, count: Int, pixelsPerCell px: PixelSize, crop: PixelSize,
                   bandHeight: Int, maxPicture: PixelSize? = nil, zoom wanted: Zoom? = nil) -> [PanelFrame]? {
    let gridRows = (count + gridCols - 1) / gridCols
    let width = (area.cols - (gridCols - 1)) / gridCols
    let height = (area.rows - (gridRows - 1)) / gridRows
    guard width >= minPanel.cols, height >= minPanel.rows, crop.width > 0, crop.height > 0 else { return nil }
    var avail = PixelSize(width: width * px.width, height: (height - 2) * px.height / bandHeight * bandHeight)
    if let cap = maxPicture { avail = PixelSize(width: min(avail.width, cap.width), height: min(avail.height, cap.height / bandHeight * bandHeight)) }
    let zoom = wanted ?? fit(crop, into: avail)
    // At a wanted zoom larger than fits, the picture is cut to the space (the crop's centre).
    var shown = PixelSize(width: min(crop.width * zoom.up / zoom.down, avail.width),
                          height: min(crop.height * zoom.up / zoom.down, avail.height))
    shown.height = shown.height / bandHeight * bandHeight
    guard shown.width > 0, shown.height > 0 else { return nil }
    let cells = CellSize(rows: (shown.height + px.height - 1) / px.height, cols: (shown.width + px.width - 1) / px.width)
    return (0..<count).map { i in
      let col = (i % gridCols) * (width + 1), row = 1 + (i / gridCols) * (height + 1)
      let picture = PicturePlacement(row: row + 2, col: col + (width - cells.cols) / 2, cells: cells, pixels: shown)
      return PanelFrame(labelRow: row, col: col, width: width, picture: picture, zoom: zoom)
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
