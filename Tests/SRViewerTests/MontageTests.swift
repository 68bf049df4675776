import Foundation
import SRImage
import SRTensor
import SRTestSupport
import Testing
@testable import SRViewer

/// The exported montage (`srscope compare`, the viewer's `x`): layout, labels, locator, themes,
/// panel size and nearest-neighbour enlargement, checked on the composed pixels.
@Suite struct MontageTests {
  static let fontExists = FileManager.default.fileExists(atPath: TextRenderer.defaultFontPath)
  /// FreeType when DejaVu Sans is installed (CI installs it), and the bitmap fallback always.
  static let renderers: [String] = fontExists ? ["freetype", "bitmap"] : ["bitmap"]
  static func renderer(_ kind: String) -> TextRenderer {
    kind == "freetype" ? TextRenderer.shared : TextRenderer(fontPath: "/nonexistent/font.ttf")
  }

  /// One 48x32 image with seeded noise as HR; "same" equals HR, "dark" is HR - 0.1.
  func source(names: [String] = ["same", "dark"]) -> StaticDataSource {
    var rng = SeededGenerator(seed: 12)
    var hr = Tensor(channels: 3, height: 32, width: 48, repeating: 0)
    for c in 0..<3 { for y in 0..<32 { for x in 0..<48 { hr[c, y, x] = Float.random(in: 0.2...0.9, using: &rng) } } }
    var lr = Tensor(channels: 3, height: 8, width: 12, repeating: 0)
    for c in 0..<3 { for y in 0..<8 { for x in 0..<12 { lr[c, y, x] = hr[c, y * 4, x * 4] } } }
    var dark = hr
    for c in 0..<3 { for y in 0..<32 { for x in 0..<48 { dark[c, y, x] -= 0.1 } } }
    return StaticDataSource(modelNames: names, images: [ViewerImageSet(name: "noise.png", hr: hr, lr: lr, scale: 4)],
                            outputs: [[hr], [dark]])
  }

  func compose(_ r: ComparisonMontage.Request, _ data: StaticDataSource, text: TextRenderer)
    -> (image: RGBImage, geometry: Montage.Geometry, sheet: Montage.Sheet)
  {
    let metrics: (Int, CropRect) -> MetricRow? = { data.cropMetrics(model: $0, image: r.image, crop: $1) }
    let sheet = ComparisonMontage.sheet(r, data: data, text: text, metrics: metrics)!
    return (Montage.compose(sheet, text: text), Montage.geometry(sheet, text: text), sheet)
  }

  func request(crop: CropRect = CropRect(x: 8, y: 4, width: 16, height: 16), error: ErrorMapMode = .off,
               theme: MontageTheme = .light, panel: Int = 64) -> ComparisonMontage.Request {
    ComparisonMontage.Request(image: 0, models: [0, 1], baseline: 0, crop: crop, errorMode: error, theme: theme,
                              panelSize: panel)
  }

  // MARK: - Text

  @Test(arguments: renderers) func fitTruncatesWithAnEllipsisToTheMeasuredWidth(kind: String) {
    let text = Self.renderer(kind)
    let long = "rrdb_p64_noscale_longer_than_any_cell/iter_9000"
    for width in [0, 5, 30, 60, 111, 200] {
      let shown = text.fit(long, size: 14, maxWidth: width)
      #expect(text.width(shown, size: 14) <= width, "\(kind) width \(width): '\(shown)'")
      if !shown.isEmpty { #expect(shown.hasSuffix(kind == "freetype" ? "\u{2026}" : "..."), "\(shown)") }
    }
    #expect(text.fit("rrdb", size: 14, maxWidth: 200) == "rrdb")
  }

  /// Long names in narrow cells: every label measures within its cell, and no ink reaches the
  /// gaps between columns (checked on the pixels, so a clipping bug shows as well as a measuring one).
  @Test(arguments: renderers) func labelsNeverLeaveTheirCell(kind: String) {
    let text = Self.renderer(kind)
    let data = source(names: ["an_exceedingly_long_model_label_for_one_cell/iter_9000", "WWWWWWWWWWWWWWWWWWWWWWWWWW"])
    let (img, g, sheet) = compose(request(error: .versusHR, panel: 16), data, text: text)
    for tile in sheet.tiles + sheet.maps.compactMap({ $0 }) {
      for line in tile.labels {
        #expect(text.width(text.fit(line, size: g.textSize, maxWidth: g.cell.width), size: g.textSize) <= g.cell.width)
      }
    }
    let bg = MontageTheme.light.background
    var inked: [String] = []
    for column in 0..<g.columns {
      let x0 = g.cellOrigin(column).x + g.cell.width
      let gapXs = column == g.columns - 1 ? x0..<img.width : x0..<(x0 + g.gap)
      for y in g.gridTop..<img.height { for x in gapXs where img[x, y] != bg { inked.append("\(x),\(y)") } }
    }
    #expect(inked.isEmpty, "\(kind): \(inked.count) pixels inked between columns, first at \(inked.first ?? "")")
  }

  @Test(.enabled(if: fontExists, "DejaVu Sans not installed (apt install fonts-dejavu-core)"))
  func freeTypeDrawsAntiAliasedLowerCase() {
    let text = TextRenderer.shared
    #expect(text.usesFreeType)
    func ink(_ s: String) -> RGBImage {
      var img = RGBImage(width: 40, height: 20, fill: (255, 255, 255))
      text.draw(s, into: &img, x: 2, y: 0, size: 14, maxWidth: 36, color: (0, 0, 0))
      return img
    }
    let lower = ink("ab"), upper = ink("AB")
    #expect(lower != upper)
    #expect(Set(lower.pixels).count > 3)  // grey coverage, not just black and white
    #expect(text.width("ab", size: 14) < text.width("WW", size: 14))
  }

  @Test func missingFontFallsBackToTheBitmapFontWithOneNote() {
    var notes: [String] = []
    let text = TextRenderer(fontPath: "/nonexistent/font.ttf") { notes.append($0) }
    #expect(!text.usesFreeType)
    #expect(notes.count == 1 && notes[0].contains("/nonexistent/font.ttf"))
    #expect(text.width("AB", size: 14) == BitmapFont.width("AB", scale: 2))
  }

  // MARK: - Layout

  /// Every picture's first row is at the same y in a row, and the same with or without error maps;
  /// maps sit exactly below their pictures.
  @Test(arguments: renderers) func picturesAlignWithAndWithoutErrorMaps(kind: String) {
    let text = Self.renderer(kind)
    let data = source()
    func firstRows(_ r: ComparisonMontage.Request) -> (tops: [Int], mapTops: [Int], image: RGBImage) {
      let (img, g, sheet) = compose(r, data, text: text)
      let bg = r.theme.background
      func top(x: Int, from y0: Int) -> Int { (y0..<img.height).first { img[x, $0] != bg } ?? -1 }
      let tops = (1..<sheet.tiles.count).map { top(x: g.cellOrigin($0).x + g.cell.width / 2, from: g.margin + g.titleLine) }
      let mapTops = sheet.maps.isEmpty ? [] : (1..<sheet.tiles.count - 1).map {
        top(x: g.cellOrigin($0).x + g.cell.width / 2, from: g.cellOrigin($0).y + g.cell.height + 1 + g.labelBand)
      }
      return (tops, mapTops, img)
    }
    let plain = firstRows(request()), mapped = firstRows(request(error: .versusHR))
    #expect(Set(plain.tops).count == 1 && plain.tops[0] > 0, "\(plain.tops)")
    #expect(mapped.tops == plain.tops)
    #expect(mapped.image.height > plain.image.height)
    // Maps (LR and both models): their first rows equal, one picture + label band + gap lower.
    let g = compose(request(error: .versusHR), data, text: text).geometry
    #expect(mapped.mapTops == Array(repeating: plain.tops[0] + g.cell.height + g.labelBand + g.gap, count: 3),
            "\(mapped.mapTops)")
  }

  @Test func locatorOutlineAtTheCropsPlace() {
    let hr = Tensor(channels: 3, height: 48, width: 64, repeating: 0.5)
    let crop = CropRect(x: 16, y: 8, width: 16, height: 16)
    let thumb = LocatorThumbnail.render(hr, crop: crop, fit: PixelSize(width: 32, height: 32))
    #expect(thumb.width == 32 && thumb.height == 24)
    // The crop maps to x 8...15, y 4...11; the 2 px ring lies just outside: x 6...17, y 2...13.
    let grey: (UInt8, UInt8, UInt8) = (128, 128, 128)
    let ring = thumb[6, 2]
    #expect(ring != grey)
    var wrong: [String] = []
    for y in 0..<24 {
      for x in 0..<32 {
        let inBox = (6...17).contains(x) && (2...13).contains(y)
        let inCrop = (8...15).contains(x) && (4...11).contains(y)
        if thumb[x, y] != (inBox && !inCrop ? ring : grey) { wrong.append("\(x),\(y)") }
      }
    }
    #expect(wrong.isEmpty, "\(wrong.count) pixels differ from the expected ring, first at \(wrong.first ?? "")")
  }

  @Test func locatorIsTheFirstCellOfTheMontage() {
    let data = source()
    let r = request()
    let (img, g, _) = compose(r, data, text: TextRenderer.shared)
    let set = data.images[0]
    let cell = g.cell
    let thumb = LocatorThumbnail.render(set.hr, crop: r.crop, fit: cell)
    let at = g.centred(PixelSize(width: thumb.width, height: thumb.height), in: g.cellOrigin(0))
    let differ = (0..<thumb.height).flatMap { y in (0..<thumb.width).filter { img[at.x + $0, at.y + y] != thumb[$0, y] } }
    #expect(differ.isEmpty, "\(differ.count) thumbnail pixels differ in the montage")
    let box = LocatorThumbnail.outline(crop: r.crop, image: PixelSize(width: 48, height: 32),
                                       thumbnail: PixelSize(width: thumb.width, height: thumb.height))
    // 48x32 in the 88x64 cell -> 88x58; crop x 8..23, y 4..19 -> x 14...43, y 7...36, grown by 2.
    #expect(thumb.width == 88 && thumb.height == 58)
    #expect(box == LocatorThumbnail.Box(x0: 12, y0: 5, x1: 45, y1: 38))
  }

  @Test func themesSetBackgroundAndText() {
    let data = source()
    for theme in MontageTheme.allCases {
      let (img, g, _) = compose(request(theme: theme), data, text: TextRenderer.shared)
      #expect(img[0, 0] == theme.background && img[img.width - 1, img.height - 1] == theme.background)
      // The title's ink: some pixel in its line is far from the background, towards the text colour.
      let title = (g.margin..<(g.margin + g.titleLine)).flatMap { y in (g.margin..<img.width / 2).map { img[$0, y] } }
      let extreme = theme == .light ? title.map(luma).min()! : title.map(luma).max()!
      #expect(abs(extreme - luma(theme.text)) < 120, "\(theme): \(extreme)")
    }
    #expect(MontageTheme.light.background == (255, 255, 255))
    #expect(luma(MontageTheme.dark.background) < 60)
  }
  func luma(_ p: (UInt8, UInt8, UInt8)) -> Int { Int(p.0) + Int(p.1) + Int(p.2) }

  // MARK: - Panel size and pixels

  @Test func panelSizeSetsTheWholeFactor() {
    func z(_ w: Int, _ h: Int, _ p: Int) -> Zoom { ComparisonMontage.zoom(crop: CropRect(x: 0, y: 0, width: w, height: h), panelSize: p) }
    #expect(z(64, 64, 256) == Zoom(up: 4, down: 1))
    #expect(z(100, 60, 256) == Zoom(up: 2, down: 1))    // 2.56 -> 2, picture 200 x 120 centred
    #expect(z(300, 300, 256) == Zoom(up: 1, down: 2))   // longer than the panel: every second pixel
    #expect(z(256, 10, 256) == Zoom(up: 1, down: 1))
    #expect(ComparisonMontage.cellSize(crop: CropRect(x: 0, y: 0, width: 64, height: 32), panelSize: 256)
      == PixelSize(width: 256, height: 128))
    // In the montage: a 20x20 crop at panel 64 is enlarged 3x to 60 px, centred in the 88 x 64 cell.
    let data = source()
    let r = request(crop: CropRect(x: 0, y: 0, width: 20, height: 20), panel: 64)
    let (img, g, sheet) = compose(r, data, text: TextRenderer.shared)
    #expect(g.cell == PixelSize(width: 88, height: 64))
    let hrCell = g.cellOrigin(sheet.tiles.count - 1)
    let y = hrCell.y + 30, bg = r.theme.background
    let inked = (hrCell.x..<(hrCell.x + g.cell.width)).filter { img[$0, y] != bg }
    #expect(inked.first == hrCell.x + 14 && inked.last == hrCell.x + 73 && inked.count == 60)
  }

  /// The HR crop inside the montage is HR enlarged 5x by replication, pixel for pixel.
  @Test func enlargedCropIsExactNearestNeighbour() {
    let data = source()
    let crop = CropRect(x: 5, y: 7, width: 10, height: 12)
    let (img, g, sheet) = compose(request(crop: crop, panel: 64), data, text: TextRenderer.shared)
    let hr = data.images[0].hr
    let origin = g.cellOrigin(sheet.tiles.count - 1)
    // Longer side 12 -> 5x (60 px); the 50 x 60 picture is centred in the 88 x 64 cell.
    let at = (x: origin.x + 19, y: origin.y + 2)
    #expect(g.centred(PixelSize(width: 50, height: 60), in: origin) == at)
    var wrong: [String] = []
    for j in 0..<60 {
      for i in 0..<50 {
        let sx = crop.x + i / 5, sy = crop.y + j / 5
        let want = (RGBImage.byte(hr[0, sy, sx]), RGBImage.byte(hr[1, sy, sx]), RGBImage.byte(hr[2, sy, sx]))
        if img[at.x + i, at.y + j] != want { wrong.append("\(i),\(j)") }
      }
    }
    #expect(wrong.isEmpty, "\(wrong.count) of 3000 picture pixels are not HR[y / 5, x / 5], first at \(wrong.first ?? "")")
    let bg = MontageTheme.light.background
    #expect(img[at.x - 1, at.y] == bg && img[at.x + 50, at.y] == bg && img[at.x, at.y - 1] == bg && img[at.x, at.y + 60] == bg)
  }

  /// The viewer's `x` and `ComparisonMontage.write` (what `srscope compare` calls) give the same bytes.
  @Test func viewerExportEqualsCompareForTheSameRequest() throws {
    let data = source()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("montage-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let viewer = Viewer(dataSource: data, graphics: .blocks,
                        terminal: RecordingTerminal(size: CellSize(rows: 30, cols: 150), script: [.char("x"), nil]))
    viewer.exportDirectory = dir
    try viewer.run()
    let written = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    #expect(written.count == 2)  // NAME.png and the NAME.sh that re-creates it
    let exported = written.filter { $0.hasSuffix(".png") }
    #expect(written.contains { $0.hasSuffix(".sh") } && exported.count == 1)
    let s = viewer.state
    let crop = s.crop(in: PixelSize(width: 48, height: 32))
    let request = ComparisonMontage.Request(image: 0, models: s.shownModels, baseline: s.baseline, crop: crop,
                                            errorMode: s.errorMode)
    let path = dir + "/compare.png"
    try ComparisonMontage.write(request, data: data, to: path)
    let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + exported[0]))
    #expect(a == (try Data(contentsOf: URL(fileURLWithPath: path))))
  }
}
