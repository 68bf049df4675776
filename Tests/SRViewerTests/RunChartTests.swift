import Foundation
import SRTensor
import Testing
@testable import SRViewer

@Suite struct RunChartTests {
  /// A trainer log: training rows leave val_psnr_y empty; validation every 100 iterations.
  static let logB = """
    iteration,loss,lr,val_psnr_y,val_ssim_y,seconds
    1,0.44,1.0e-03,,,1.25
    99,0.20,1.0e-03,,,9.0
    100,0.19,1.0e-03,20.0,0.70,10.0
    200,0.10,9.0e-04,24.0,0.75,20.0
    250,0.09,9.0e-04,,,25.0
    300,0.08,8.0e-04,22.0,0.74,30.0

    """
  static let logA = "iteration,loss,lr,val_psnr_y,val_ssim_y,seconds\n100,1,1,21,0,1\n200,1,1,23,0,2\n300,1,1,25,0,3\n"

  static func curve(_ text: String) throws -> ValidationCurve { try #require(ValidationCurve.parse(csv: text)) }

  // MARK: parsing

  @Test func parsesTheValidationRowsOfATrainerLog() throws {
    let c = try Self.curve(Self.logB)
    #expect(c.points == [.init(iteration: 100, psnrY: 20), .init(iteration: 200, psnrY: 24), .init(iteration: 300, psnrY: 22)])
    #expect(c.best == .init(iteration: 200, psnrY: 24))
    #expect(c.last == .init(iteration: 300, psnrY: 22))
    // CRLF line ends, spaces around fields, columns in another order, unsorted rows.
    let crlf = try Self.curve("val_psnr_y , iteration\r\n 25.5 , 200\r\n24.25,100\r\n")
    #expect(crlf.points == [.init(iteration: 100, psnrY: 24.25), .init(iteration: 200, psnrY: 25.5)])
  }

  @Test func skipsGarbledRowsAndKeepsTheRest() throws {
    let text = Self.logA + "400,1,1,banana,0,4\n500,1\n600,1,1,nan,0,6\n\u{0}\u{7}garbage\n700,1,1,26.5,0,7\n"
    #expect(try Self.curve(text).points.map(\.psnrY) == [21, 23, 25, 26.5])
  }

  @Test(arguments: [
    "",                                                         // empty file
    "iteration,loss,lr,val_psnr_y,val_ssim_y,seconds\n",        // header only (training just started)
    "iteration,loss,lr,val_psnr_y\n1,0.4,1e-3,\n2,0.3,1e-3,\n", // no validation row yet
    "step,psnr\n100,20\n200,24\n",                              // not a trainer log
    "\u{FFFD}\u{0}PK\u{3}\u{4}\u{14}\u{0}binary junk,,,\n\u{1}\u{2}",  // garbage
    "iteration,val_psnr_y\n100,inf\n200,-nan\n300,\n",          // no finite value
  ])
  func garbledLogsGiveNoCurve(_ text: String) {
    #expect(ValidationCurve.parse(csv: text) == nil)
  }

  @Test func unreadableLogFilesGiveNoCurve() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runchart-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(ValidationCurve.load(path: dir.appendingPathComponent("missing.csv").path) == nil)
    #expect(ValidationCurve.load(path: dir.path) == nil)  // a directory
    let latin1 = dir.appendingPathComponent("latin1.csv")
    try Data([0x69, 0x74, 0xE9, 0xFF, 0x0A, 0x31]).write(to: latin1)  // not UTF-8
    #expect(ValidationCurve.load(path: latin1.path) == nil)
    let good = dir.appendingPathComponent("log.csv")
    try Self.logB.write(to: good, atomically: true, encoding: .utf8)
    #expect(ValidationCurve.load(path: good.path)?.points.count == 3)
  }

  // MARK: layout

  @Test func layoutPutsTheChartRightOfTheTable() throws {
    // 200x60 half-blocks, 8 models (10 panels): the table needs 1 + 8 rows (rows 50...58), as does the chart.
    let layout = Layout.compute(terminal: CellSize(rows: 60, cols: 200), pixelsPerCell: PixelSize(width: 1, height: 2),
                                panelCount: 10, crop: PixelSize(width: 32, height: 32), modelCount: 8, bandHeight: 2,
                                chart: true)
    guard case .screen(let s) = layout else { Issue.record("\(layout)"); return }
    #expect(s.tableRow == 50 && s.tableModelRows == 8 && s.statusRow == 59)
    #expect(s.tableWidth == 90)  // header 89 columns + a blank one; the chart starts at column 91
    #expect(s.chart == ChartFrame(titleRow: 50, col: 91, width: 109,
                                  picture: PicturePlacement(row: 51, col: 98, cells: CellSize(rows: 7, cols: 102),
                                                            pixels: PixelSize(width: 102, height: 14)),
                                  axisRow: 58))
    // Sixel, 10x20 cells: 102 columns are 1020 px; 7 rows are 140 px, cut to 138 (23 bands of 6).
    guard case .screen(let x) = Layout.compute(
      terminal: CellSize(rows: 60, cols: 200), pixelsPerCell: PixelSize(width: 10, height: 20), panelCount: 10,
      crop: PixelSize(width: 64, height: 64), modelCount: 8, bandHeight: 6, chart: true) else { Issue.record(); return }
    #expect(x.chart?.picture.pixels == PixelSize(width: 1020, height: 138) && x.chart?.picture.cells == CellSize(rows: 7, cols: 102))
    // The chart costs the panels nothing here.
    guard case .screen(let plain) = Layout.compute(
      terminal: CellSize(rows: 60, cols: 200), pixelsPerCell: PixelSize(width: 1, height: 2), panelCount: 10,
      crop: PixelSize(width: 32, height: 32), modelCount: 8, bandHeight: 2) else { Issue.record(); return }
    #expect(plain.panels == s.panels && plain.chart == nil && plain.tableWidth == 200)
  }

  @Test func layoutGrowsTheBlockOnlyWhenThePanelsKeepTheirSize() throws {
    // 120x20, 3 models (5 panels), crop 32: the table needs 4 rows; a 9-row block would shrink the
    // panels from 1/2x to 1/3x, a 6-row one does not: title row 13, 4 picture rows (8 px), x labels row 18.
    guard case .screen(let s) = Layout.compute(
      terminal: CellSize(rows: 20, cols: 120), pixelsPerCell: PixelSize(width: 1, height: 2), panelCount: 5,
      crop: PixelSize(width: 32, height: 32), modelCount: 3, bandHeight: 2, chart: true) else { Issue.record(); return }
    #expect(s.panels.first?.zoom == Zoom(up: 1, down: 2))
    #expect(s.chart == ChartFrame(titleRow: 13, col: 91, width: 29,
                                  picture: PicturePlacement(row: 14, col: 98, cells: CellSize(rows: 4, cols: 22),
                                                            pixels: PixelSize(width: 22, height: 8)),
                                  axisRow: 18))
    #expect(s.tableRow == 13 && s.tableModelRows == 3)
  }

  @Test(arguments: [CellSize(rows: 60, cols: 114), CellSize(rows: 16, cols: 120), CellSize(rows: 12, cols: 130)])
  func layoutHidesTheChartInSmallTerminals(_ size: CellSize) throws {
    // 114 columns leave 23 right of the table (24 needed); 16 rows: 6 rows for the chart would halve the
    // panels (1/2x -> 1/4x); 12 rows: no room for 6 rows at all.
    let layout = Layout.compute(terminal: size, pixelsPerCell: PixelSize(width: 1, height: 2), panelCount: 5,
                                crop: PixelSize(width: 32, height: 32), modelCount: 3, bandHeight: 2, chart: true)
    guard case .screen(let s) = layout else { Issue.record("\(layout)"); return }
    #expect(s.chart == nil)
    #expect(s.tableWidth == size.cols)
  }

  // MARK: picture

  @Test func highlightedCurveIsDrawnAtItsComputedPixels() throws {
    // Runs: none (bicubic), A (faint), B (selected). Axes over both: x 100...300, y 20...25 dB.
    // In a 41x11 picture: x = (it - 100) / 200 * 40, y = 10 - (psnr - 20) / 5 * 10.
    // B: (100, 20) -> (0, 10), (200, 24) -> (20, 2), (300, 22) -> (40, 6).
    // A: (100, 21) -> (0, 8), (200, 23) -> (20, 4), (300, 25) -> (40, 0).
    let curves: [ValidationCurve?] = [nil, try Self.curve(Self.logA), try Self.curve(Self.logB)]
    let img = try #require(RunChart.render(curves, highlight: 2, size: PixelSize(width: 41, height: 11)))
    let blue: (UInt8, UInt8, UInt8) = (49, 130, 189)  // B is the second run: `srscope plot` colour 2
    #expect(RunChart.color(of: 2, curves: curves) == blue)
    for (x, y) in [(0, 10), (20, 2), (40, 6), (10, 6), (30, 4)] { #expect(img[x, y] == blue, "(\(x), \(y))") }
    for (x, y) in [(0, 8), (20, 4), (40, 0), (30, 2)] { #expect(img[x, y] == RunChart.faint, "(\(x), \(y))") }
    // (10, 6) is where both lines cross: the selected one is on top. Elsewhere: frame, grid, background.
    #expect(img[40, 10] == RunChart.frame && img[0, 3] == RunChart.frame)
    #expect(img[5, 5] == RunChart.gridLine && img[30, 9] == RunChart.background)
    // One pixel per column (1-px line, x-major segments), none elsewhere.
    for x in 0..<41 {
      let rows = (0..<11).filter { img[x, $0] == blue }
      #expect(rows.count == 1, "column \(x): \(rows)")
    }
    // Selecting A instead: A in orange (first run), B faint.
    let a = try #require(RunChart.render(curves, highlight: 1, size: PixelSize(width: 41, height: 11)))
    #expect(a[40, 0] == (230, 85, 13) && a[40, 6] == RunChart.faint)
  }

  @Test func largePicturesGetThickerLines() throws {
    let curves: [ValidationCurve?] = [try Self.curve(Self.logB)]
    let img = try #require(RunChart.render(curves, highlight: 0, size: PixelSize(width: 201, height: 121)))
    // thickness 121 / 48 = 2: the pixel above each vertex too. y 20...24 dB on rows 120...0:
    // (100, 20) -> (0, 120); (200, 24) -> (100, 0); (300, 22) -> (200, 60).
    #expect(RunChart.thickness(PixelSize(width: 201, height: 121)) == 2)
    #expect(RunChart.thickness(PixelSize(width: 102, height: 14)) == 1 && RunChart.thickness(PixelSize(width: 9, height: 600)) == 3)
    let orange: (UInt8, UInt8, UInt8) = (230, 85, 13)
    #expect(img[0, 120] == orange && img[0, 119] == orange && img[100, 0] == orange)
    #expect(img[200, 60] == orange && img[200, 59] == orange && img[200, 58] == RunChart.background)
  }

  @Test func noPictureForAModelWithoutACurve() throws {
    let curves: [ValidationCurve?] = [nil, try Self.curve(Self.logA)]
    #expect(RunChart.render(curves, highlight: 0, size: PixelSize(width: 40, height: 10)) == nil)
    #expect(RunChart.render(curves, highlight: 5, size: PixelSize(width: 40, height: 10)) == nil)
    #expect(RunChart.render([nil, nil], highlight: 1, size: PixelSize(width: 40, height: 10)) == nil)
    #expect(RunChart.render(curves, highlight: 1, size: PixelSize(width: 1, height: 10)) == nil)
  }

  // MARK: in the viewer

  /// Three models on a flat 32x32 image: "bicubic" (no log), "runA", "runB" (logs).
  func source(curves: [ValidationCurve?]) -> StaticDataSource {
    let hr = Tensor(channels: 3, height: 32, width: 32, repeating: 0.5)
    let lr = Tensor(channels: 3, height: 8, width: 8, repeating: 0.5)
    return StaticDataSource(modelNames: ["bicubic", "runA", "runB"],
                            images: [ViewerImageSet(name: "flat.png", hr: hr, lr: lr, scale: 4)],
                            outputs: [[hr], [hr], [hr]], metrics: [[MetricRow(psnrY: 30)], [MetricRow(psnrY: 31)], [MetricRow(psnrY: 32)]],
                            curves: curves)
  }

  func run(_ curves: [ValidationCurve?], _ keys: [KeyEvent?], size: CellSize = CellSize(rows: 40, cols: 160)) throws
    -> RecordingTerminal {
    let term = RecordingTerminal(size: size, script: keys)
    try Viewer(dataSource: source(curves: curves), graphics: .blocks, terminal: term).run()
    return term
  }

  @Test func viewerShowsTheChartOfModelA() throws {
    // 160x40: table rows 30...33, chart block rows 30...38 from column 91 (9 rows: the table needs 4,
    // the panels keep their size); picture 62x14 px at row 31, column 98. Model A is runB (the last).
    let curves: [ValidationCurve?] = [nil, try Self.curve(Self.logA), try Self.curve(Self.logB)]
    let term = try run(curves, [nil])
    let chart = try #require(term.graphics.last)
    #expect(term.graphics.count == 6)  // LR, three models, HR, chart
    #expect((chart.row, chart.col, chart.cells) == (31, 98, CellSize(rows: 7, cols: 62)))
    let img = try #require(RunChart.render(curves, highlight: 2, size: PixelSize(width: 62, height: 14)))
    #expect(chart.bytes == HalfBlockEncoder.encode(img, colors: .trueColor))
    #expect(String(decoding: chart.bytes, as: UTF8.self).contains("38;2;49;130;189m"))  // runB's blue
    let lines = term.lines
    // The title drops its "grey: 1 other run" note: 57 + 19 characters do not fit in 69 columns.
    #expect(lines[30].hasSuffix("  val PSNR-Y: runB (A)  last 22.00 dB @300  best 24.00 @200"))
    #expect(lines[31].dropFirst(91).hasPrefix(" 25.00 #"))
    #expect(lines[37].dropFirst(91).hasPrefix(" 20.00 #"))
    #expect(String(lines[38].dropFirst(98)) == "100" + String(repeating: " ", count: 23) + "iteration"
      + String(repeating: " ", count: 24) + "300")
    // The table keeps to its columns: column 90 and the label columns 91...97 stay blank, the picture
    // starts at 98.
    #expect(lines[33].hasPrefix("3*>runB") && lines[33].dropFirst(90).hasPrefix("        #"))
  }

  @Test func snapshotsOfOneRunCountAsOneGreyRun() throws {
    // Two manifest entries sharing runA's log (snapshots of one run) and runB: from runB there is
    // one other run; from either runA entry there is one (runB), not two.
    let a = try Self.curve(Self.logA), b = try Self.curve(Self.logB)
    let curves: [ValidationCurve?] = [nil, a, a, b]
    #expect(RunChart.otherRunCount(curves, highlight: 3) == 1)
    #expect(RunChart.otherRunCount(curves, highlight: 1) == 1)
    #expect(RunChart.otherRunCount(curves, highlight: 0) == 2)
  }

  @Test func modelWithoutALogShowsANoteAndNoChart() throws {
    // Tab moves A from runB to bicubic; the layout stays (a run has a log), the picture goes.
    let curves: [ValidationCurve?] = [nil, try Self.curve(Self.logA), try Self.curve(Self.logB)]
    let term = try run(curves, [.char("\t"), nil])
    #expect(term.graphics.count == 5)
    #expect(term.lines[30].hasSuffix("  validation PSNR-Y: bicubic has no training log"))
    #expect(term.lines[33].hasPrefix("3* runB"))
  }

  @Test func garbledLogsGiveNoChartAndTheUsualLayout() throws {
    let garbled: [ValidationCurve?] = [nil, ValidationCurve.parse(csv: "\u{0}\u{1}junk"), ValidationCurve.parse(csv: "")]
    let term = try run(garbled, [nil])
    let plain = try run([], [nil])
    #expect(term.graphics.count == 5)
    #expect(term.lines == plain.lines)
    #expect(!term.text.contains("PSNR-Y:"))
  }

  @Test func smallTerminalHidesTheChartAndHelpHidesItsPicture() throws {
    let curves: [ValidationCurve?] = [nil, try Self.curve(Self.logA), try Self.curve(Self.logB)]
    let narrow = try run(curves, [nil], size: CellSize(rows: 40, cols: 110))
    #expect(narrow.graphics.count == 5 && !narrow.text.contains("val PSNR-Y"))
    let help = try run(curves, [.char("?"), nil])
    #expect(help.graphics.isEmpty)
  }
}
