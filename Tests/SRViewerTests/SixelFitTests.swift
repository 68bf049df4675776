import SRTensor
import Testing
@testable import SRViewer

/// Every sixel picture fits the terminal's maximum geometry (issue 12: xterm's default 1000x1000 drops
/// a wider chart).
@Suite struct SixelFitTests {
  static let cell = PixelSize(width: 10, height: 20)
  static let cap = PixelSize(width: 1000, height: 1000)
  static let wide = CellSize(rows: 80, cols: 300)

  /// The pictures a layout places (panels and chart).
  func pictures(_ s: ScreenLayout) -> [PicturePlacement] { s.panels.map(\.picture) + (s.chart.map { [$0.picture] } ?? []) }

  @Test(arguments: [1, 2, 3, 5, 11], [16, 64, 96, 128, 512])
  func layoutKeepsEveryPictureWithinTheCapOnAWideTerminal(_ panels: Int, _ crop: Int) throws {
    let layout = Layout.compute(terminal: Self.wide, pixelsPerCell: Self.cell, panelCount: panels,
                                crop: PixelSize(width: crop, height: crop), modelCount: 9, bandHeight: 6, chart: true,
                                maxPicture: Self.cap)
    guard case .screen(let s) = layout else { Issue.record("\(layout)"); return }
    #expect(s.panels.count == panels)
    #expect(s.chart != nil)
    for p in pictures(s) {
      #expect(p.pixels.width <= 1000 && p.pixels.height <= 1000, "\(p)")
      #expect(p.pixels.height % 6 == 0)
      // The cells cover the picture exactly (no picture column outside its cells, none empty).
      #expect(p.cells.cols == (p.pixels.width + 9) / 10 && p.cells.rows == (p.pixels.height + 19) / 20, "\(p)")
    }
  }

  /// Without the cap the same terminal gets pictures wider than 1000 px (so the test above bites), and
  /// the cap changes nothing where pictures are small anyway.
  @Test func capOnlyShrinksPicturesThatExceedIt() throws {
    func screen(_ panels: Int, _ cap: PixelSize?) throws -> ScreenLayout {
      let layout = Layout.compute(terminal: Self.wide, pixelsPerCell: Self.cell, panelCount: panels,
                                  crop: PixelSize(width: 96, height: 96), modelCount: 9, bandHeight: 6, chart: true,
                                  maxPicture: cap)
      guard case .screen(let s) = layout else { throw LayoutFailure() }
      return s
    }
    let free = try screen(1, nil), capped = try screen(1, Self.cap)
    #expect(free.chart.map { $0.picture.pixels.width > 1000 } == true)  // 202 columns: 2020 px
    #expect(free.panels[0].picture.pixels.height > 1000)               // one 96-px crop at 11x
    #expect(capped.chart?.picture.pixels.width == 1000 && capped.chart?.picture.cells.cols == 100)
    #expect(capped.panels[0].zoom == Zoom(up: 10, down: 1) && capped.panels[0].picture.pixels == PixelSize(width: 960, height: 960))
    let many = try screen(11, nil), manyCapped = try screen(11, Self.cap)
    #expect(many.panels == manyCapped.panels)  // small panels: unchanged
  }

  struct LayoutFailure: Error {}

  /// A picture wider and taller than the maximum is sent as tiles side by side and stacked, each within
  /// the maximum, on cell boundaries; decoded and put back together they are the picture.
  @Test func oversizedPicturesAreSplitIntoTilesWithinTheMaximum() throws {
    let caps = TerminalCapabilities(sixel: true, trueColor: false, cellPixels: Self.cell, colorRegisters: 1024,
                                    maxSixelGeometry: Self.cap)
    let renderer = PanelRenderer(mode: .sixel, capabilities: caps)
    var img = RGBImage(width: 2500, height: 1210)
    for y in 0..<img.height { for x in 0..<img.width { img[x, y] = (UInt8(x % 7 * 30), UInt8(y % 5 * 50), UInt8((x / 100) % 2 * 200)) } }
    let tiles = try #require(renderer.encode(img))
    // Widths 1000, 1000, 500; heights 960 (16 cells, 160 bands), 250.
    #expect(tiles.map(\.col) == [0, 100, 200, 0, 100, 200] && tiles.map(\.row) == [0, 0, 0, 48, 48, 48])
    #expect(tiles.map(\.cells) == [CellSize(rows: 48, cols: 100), CellSize(rows: 48, cols: 100), CellSize(rows: 48, cols: 50),
                                   CellSize(rows: 13, cols: 100), CellSize(rows: 13, cols: 100), CellSize(rows: 13, cols: 50)])
    var bad = 0
    for t in tiles {
      let d = DecodedSixel(t.bytes)
      #expect(d.width <= 1000 && d.height <= 1000)
      for y in 0..<d.height {
        for x in 0..<d.width {
          let c = img[t.col * 10 + x, t.row * 20 + y]
          if let p = d.rgb(x, y), abs(p.0 - Int(c.0)) <= 2, abs(p.1 - Int(c.1)) <= 2, abs(p.2 - Int(c.2)) <= 2 { continue }
          bad += 1
        }
      }
    }
    #expect(bad == 0)
    // Fits: one tile, the picture itself.
    #expect(try #require(renderer.encode(RGBImage(width: 1000, height: 1000))).count == 1)
  }

  /// The viewer on a 300x80 sixel terminal with xterm's default maximum: every graphics write (panels,
  /// chart) declares a raster within 1000x1000, and the title names the palette and the terminal.
  @Test(arguments: [[nil], [.char(" "), nil]] as [[KeyEvent?]])
  func viewerSendsNoSixelBeyondTheMaximum(_ keys: [KeyEvent?]) throws {
    let caps = TerminalCapabilities(sixel: true, trueColor: false, cellPixels: Self.cell, terminalName: "XTerm(379)",
                                    colorRegisters: 1024, maxSixelGeometry: Self.cap)
    let term = RecordingTerminal(size: Self.wide, capabilities: caps, script: keys)
    let log = "iteration,val_psnr_y\n100,20\n200,24\n300,25\n"
    let demo = StaticDataSource.demo(imageCount: 1)
    let source = StaticDataSource(modelNames: demo.modelNames, images: demo.images, outputs: demo.outputs,
                                  metrics: demo.metrics, curves: demo.modelNames.map { _ in ValidationCurve.parse(csv: log) })
    try Viewer(dataSource: source, graphics: .sixel, terminal: term).run()
    #expect(term.lines[0].hasSuffix("sixel 1024 colours (XTerm(379), max 1000x1000)"), "\(term.lines[0])")
    #expect(term.graphics.count >= 2)
    for g in term.graphics {
      let d = DecodedSixel(g.bytes)
      #expect(d.width > 0 && d.width <= 1000 && d.height > 0 && d.height <= 1000, "\(d.width)x\(d.height) at \(g.row),\(g.col)")
      #expect(d.width <= g.cells.cols * 10 && d.height <= g.cells.rows * 20)
    }
    // The chart is among them: its picture starts right of the table (column 91 + 7 label columns).
    #expect(term.graphics.contains { $0.col == 98 })
  }
}
