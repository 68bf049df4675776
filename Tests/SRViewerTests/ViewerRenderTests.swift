import SRTensor
import Testing
@testable import SRViewer

@Suite struct ViewerRenderTests {
  /// Two models on one flat 32x32 image: "same" equals HR, "dark" is HR - 0.1 everywhere.
  func source() -> StaticDataSource {
    let hr = Tensor(channels: 3, height: 32, width: 32, repeating: 0.5)
    let lr = Tensor(channels: 3, height: 8, width: 8, repeating: 0.5)
    let dark = Tensor(channels: 3, height: 32, width: 32, repeating: 0.4)
    return StaticDataSource(
      modelNames: ["same", "dark"], images: [ViewerImageSet(name: "flat.png", hr: hr, lr: lr, scale: 4)],
      outputs: [[hr], [dark]],
      metrics: [[MetricRow(psnrY: 40, ssimY: 0.99, lpips: 0.01, niqe: 5)], [MetricRow(psnrY: 30.5, ssimY: 0.9, lpips: 0.2, niqe: 6)]])
  }

  func render(_ keys: [KeyEvent?], size: CellSize = CellSize(rows: 30, cols: 150)) throws -> (RecordingTerminal, Viewer) {
    let term = RecordingTerminal(size: size, script: keys)
    let viewer = Viewer(dataSource: source(), graphics: .blocks, terminal: term)
    try viewer.run()
    return (term, viewer)
  }

  @Test func drawsLabelsPanelsAndTable() throws {
    let (term, _) = try render([nil])
    let lines = term.lines
    #expect(lines[0].hasPrefix("[1/1] flat.png  crop 32x32 at 0,0  zoom 1x (fit)  A: dark  base: same  half-blocks 24-bit"))
    #expect(lines[1].contains("LR x4 (nearest)") && lines[1].contains("same (base)") && lines[1].contains("dark (A)"))
    #expect(lines[1].hasSuffix("HR"))
    // Crop PSNR-Y of "dark": |dY| = 0.1 * (65.481 + 128.553 + 24.966) = 21.9 -> 10 log10(255^2 / 21.9^2) = 21.32 dB.
    #expect(lines[2].contains("PSNR-Y 21.32"))
    #expect(lines.contains("   model               PSNR-Y    SSIM   LPIPS    NIQE |  dPSNR    dSSIM   dLPIPS    dNIQE"))
    #expect(lines.contains("1*Bsame                 40.00  0.9900  0.0100   5.000 |  (baseline)"))
    #expect(lines.contains("2*>dark                 30.50  0.9000  0.2000   6.000 |   -9.50  -0.0900  +0.1900   +1.000"))
    #expect(lines[29].hasPrefix("ready") && lines[29].hasSuffix("?:help q:quit"))
    #expect(term.graphics.count == 4)  // LR, same, dark, HR
    #expect(!term.isActive)            // stopped on exit
  }

  @Test func errorMapPanelShowsFixedScaleColours() throws {
    let (term, _) = try render([.char("e"), nil])
    #expect(term.lines.contains { $0.contains("|SR-HR| mean over RGB, fixed scale 0 (black) .. 0.25 (white)") })
    // "dark" panel: |d| = 0.1 -> t = 0.4 -> hot (255, 51, 0) as 24-bit background.
    let dark = String(decoding: term.graphics[2].bytes, as: UTF8.self)
    #expect(dark.hasPrefix("\u{1B}[48;2;255;51;0m"))
  }

  @Test func helpOverlayHidesPictures() throws {
    let (term, _) = try render([.char("?"), nil])
    #expect(term.text.contains("| srscope view - keys"))
    #expect(term.graphics.isEmpty)
  }

  /// An image that failed to load shows its error line (not "Loading..." forever); crop metrics
  /// the source cannot compute read "n/a", not "..." (still computing).
  @Test func unloadableImageAndUncomputableMetricsSaySo() throws {
    let base = source()
    let broken = StaticDataSource(
      modelNames: base.modelNames, images: base.images + base.images, outputs: [[base.images[0].hr, nil], [nil, nil]],
      imageErrors: [1: "tiny.png: 3x3 is smaller than the scale 4"])
    let first = RecordingTerminal(size: CellSize(rows: 30, cols: 150), script: [nil])
    try Viewer(dataSource: broken, graphics: .blocks, terminal: first).run()
    #expect(first.text.contains("PSNR-Y inf  SSIM n/a  LPIPS n/a"), "\(first.text)")
    let second = RecordingTerminal(size: CellSize(rows: 30, cols: 150), script: [.char("n"), nil])
    try Viewer(dataSource: broken, graphics: .blocks, terminal: second).run()
    #expect(second.lines[0] == "[2/2] tiny.png: 3x3 is smaller than the scale 4 (n / p: other images)")
  }

  @Test func tooSmallTerminalSaysSo() throws {
    let (term, _) = try render([nil], size: CellSize(rows: 10, cols: 30))
    #expect(term.lines[0] == "Terminal too small: 30x10,")
    #expect(term.lines[1] == "need at least 40x12. Enlarge")
    #expect(term.graphics.isEmpty)
  }

  @Test func worstFirstJumpsToThePlantedDefectInTheDemo() throws {
    // Shown models [0, 1, 2, 3], focus starts at 3; three Tabs -> focus 2 ("esrgan-demo", defect of
    // 12x12 magenta pixels at (128, 42) in a 192x128 image). Crop 32, stride 16.
    let term = RecordingTerminal(size: CellSize(rows: 40, cols: 160),
                                 script: [.char("\t"), .char("\t"), .char("\t"), .char("w"), nil])
    let viewer = Viewer(dataSource: StaticDataSource.demo(imageCount: 1), graphics: .blocks, terminal: term)
    try viewer.run()
    let s = viewer.state
    #expect(s.focus == 2)
    #expect(s.cropSize == 32)  // the half-block start size
    #expect(s.cropX <= 128 && s.cropX + 32 >= 140 && s.cropY <= 42 && s.cropY + 32 >= 54, "crop at \(s.cropX),\(s.cropY)")
    #expect(term.lines[term.size.rows - 1].hasPrefix("worst #1/"))
  }
}

@Suite struct ViewerErrorsAndColoursTests {
  @Test func aFailedModelShowsItsErrorInPanelTableAndStatus() throws {
    let hr = Tensor(channels: 3, height: 32, width: 32, repeating: 0.5)
    let lr = Tensor(channels: 3, height: 8, width: 8, repeating: 0.5)
    let source = StaticDataSource(
      modelNames: ["good", "typo"], images: [ViewerImageSet(name: "flat.png", hr: hr, lr: lr, scale: 4)],
      outputs: [[hr], [nil]], metrics: [[MetricRow(psnrY: 40, ssimY: 0.99, lpips: 0.01, niqe: 5)], [nil]],
      modelErrors: [1: "/runs/iter_900.pth: bad input: No such file or directory"])
    let term = RecordingTerminal(size: CellSize(rows: 30, cols: 150), script: [nil])
    try Viewer(dataSource: source, graphics: .blocks, terminal: term).run()
    let lines = term.lines
    #expect(lines.contains("2*>typo               error: /runs/iter_900.pth: bad input: No such file or directory"))
    #expect(lines.contains { $0.contains("failed") })
    #expect(lines.filter { $0.contains("error: /runs/iter_900.pth") }.count == 2)  // panel and table row
    #expect(!lines.contains { $0.contains("computing...") })
    #expect(lines[29].hasPrefix("ready | 1 of 2 models failed (error in panel and table)"))
    #expect(term.graphics.count == 3)  // LR, good, HR: no picture for the failed model
  }

  @Test func trueColourDetection() {
    func source(_ env: [String: String], flags: Set<String> = [], tmux: String? = nil) -> String? {
      ColorSupport.trueColorSource(environment: env, terminfoFlag: { flags.contains($0) }, tmuxFeatures: { tmux })
    }
    #expect(source(["COLORTERM": "truecolor"]) == "COLORTERM")
    #expect(source(["COLORTERM": "24bit"]) == "COLORTERM")
    #expect(source(["TERM": "xterm-direct"], flags: ["RGB"]) == "terminfo")
    #expect(source(["TERM": "tmux-256color"], flags: ["Tc"]) == "terminfo")
    #expect(source(["TMUX": "/tmp/tmux-0/default,1,0"], tmux: "256,RGB,title\n") == "tmux")
    #expect(source(["TMUX": "/tmp/tmux-0/default,1,0"], tmux: "256,title") == nil)
    #expect(source(["TERM": "xterm-256color"], tmux: "RGB") == nil)  // not inside tmux
  }
}

@Suite struct ViewerSetTests {
  /// Two images; model "m" scores 30 and 34 dB, so the set mean is 32 (as eval averages).
  func source() -> StaticDataSource {
    let hr = Tensor(channels: 3, height: 32, width: 32, repeating: 0.5)
    let lr = Tensor(channels: 3, height: 8, width: 8, repeating: 0.5)
    var bad = Tensor(channels: 3, height: 32, width: 32, repeating: 0.5)
    for y in 20..<28 { for x in 4..<12 { for c in 0..<3 { bad[c, y, x] = 0.9 } } }  // a defect in image 2 only
    let images = [ViewerImageSet(name: "a.png", hr: hr, lr: lr, scale: 4), ViewerImageSet(name: "b.png", hr: hr, lr: lr, scale: 4)]
    return StaticDataSource(modelNames: ["base", "m"], images: images, outputs: [[hr, hr], [hr, bad]],
                            metrics: [[MetricRow(psnrY: 40, ssimY: 1, lpips: 0, niqe: 5), MetricRow(psnrY: 40, ssimY: 1, lpips: 0, niqe: 5)],
                                      [MetricRow(psnrY: 30, ssimY: 0.9, lpips: 0.2, niqe: 6), MetricRow(psnrY: 34, ssimY: 0.8, lpips: 0.4, niqe: .nan)]])
  }

  @Test func mShowsTheSetMean() throws {
    let term = RecordingTerminal(size: CellSize(rows: 30, cols: 150), script: [.char("m"), nil])
    try Viewer(dataSource: source(), graphics: .blocks, terminal: term).run()
    #expect(term.lines.contains("2*>m                    32.00  0.8500  0.3000   6.000 |   -8.00  -0.1500  +0.3000   +1.000"))
    #expect(term.lines.contains { $0.hasPrefix("table: set mean over 2/2 images (m: this image)") })
  }

  @Test func worstFirstSearchesTheWholeSet() throws {
    let term = RecordingTerminal(size: CellSize(rows: 30, cols: 150), script: [.char("["), .char("["), .char("w"), nil])
    let viewer = Viewer(dataSource: source(), graphics: .blocks, terminal: term)
    try viewer.run()
    // From image 1 (a.png, no defect), w jumps to b.png, onto the planted 8x8 block.
    #expect(viewer.state.imageIndex == 1)
    let crop = viewer.state.crop(in: PixelSize(width: 32, height: 32))
    #expect(crop.x <= 4 && crop.x + crop.width >= 12 && crop.y <= 20 && crop.y + crop.height >= 28)
    #expect(term.lines[29].hasPrefix("worst #1/"))
    #expect(term.lines[29].contains("over the set: b.png"))
  }
}
