import SRTensor
import Testing
@testable import SRViewer

/// The `<` / `>` network-interpolation panel: key handling and alpha clamping in the pure reducer,
/// then the panel, its title and legend, and the status message through the whole viewer.
@Suite struct InterpolationStateTests {
  func ctx(_ status: InterpolationStatus) -> ViewerContext {
    ViewerContext(modelCount: 4, imageCount: 1, imageSize: PixelSize(width: 64, height: 64), interpolation: status)
  }

  func run(_ keys: [KeyEvent], _ status: InterpolationStatus = .available, from start: ViewerState? = nil) -> ViewerState {
    keys.reduce(start ?? ViewerState(modelCount: 4)) { ViewerState.reduce($0, $1, ctx(status)) }
  }

  @Test func angleBracketsStepAlphaByATenthWithinZeroToOne() {
    #expect(ViewerState(modelCount: 4).interpolation == nil)  // off at start
    let s = run([.char(">"), .char(">"), .char(">")])
    #expect(s.interpolationTenths == 3)
    #expect(s.interpolation == Interpolation(a: 3, b: 0, tenths: 3))  // A (focus 3) to the baseline (0)
    #expect(s.interpolation?.title == "A<->base \u{03B1}=0.3")
    #expect(s.interpolation?.alpha == 0.3)
    #expect(run([.char(">"), .char(">"), .char(">"), .char("<")]).interpolationTenths == 2)
    #expect(run(Array(repeating: .char(">"), count: 14)).interpolation?.title == "A<->base \u{03B1}=1.0")  // clamped at 1
    #expect(run([.char("<")]).interpolationTenths == 9)  // the first `<` starts one step from the baseline
    #expect(run(Array(repeating: .char("<"), count: 14)).interpolationTenths == 0)  // clamped at 0
    // While the pair is still being checked, the keys work (the viewer hides the panel if it fails).
    #expect(run([.char(">")], .checking).interpolationTenths == 1)
  }

  @Test func followsAAndTheBaselineAndEscapeHidesIt() {
    var s = run([.char(">"), .char("b"), .char("\t")])
    #expect(s.interpolation == Interpolation(a: 0, b: 1, tenths: 1))
    s = run([.escape], from: s)
    #expect(s.interpolation == nil)
    // With the help open, Escape closes the help first and keeps the panel.
    s = run([.char(">"), .char("?"), .escape])
    #expect(!s.showHelp && s.interpolationTenths == 1)
  }

  @Test func mismatchedArchitecturesGiveAOneLineMessageAndNoPanel() {
    let why = "different architectures: rrdb is RRDBNet, srvgg is SRVGGNetCompact"
    let s = run([.char(">")], .unavailable(why))
    #expect(s.interpolationTenths == nil)
    #expect(s.message == "no A<->base interpolation: " + why)
    #expect(run([.char("<")], .unavailable(why)).message == "no A<->base interpolation: " + why)
    // Found out later (in the background, or after Tab / b): the panel goes, with the same message.
    var on = run([.char(">")], .checking)
    on.settleInterpolation(ctx(.available))
    #expect(on.interpolationTenths == 1 && on.message == nil)
    on.settleInterpolation(ctx(.unavailable(why)))
    #expect(on.interpolationTenths == nil && on.message == "no A<->base interpolation: " + why)
  }
}

@Suite struct InterpolationPanelTests {
  /// "dark" (0.4) and "bright" (0.8) of one architecture, "other" of another; HR 0.5.
  func source() -> StaticDataSource {
    let hr = Tensor(channels: 3, height: 32, width: 32, repeating: 0.5)
    let lr = Tensor(channels: 3, height: 8, width: 8, repeating: 0.5)
    let dark = Tensor(channels: 3, height: 32, width: 32, repeating: 0.4)
    let bright = Tensor(channels: 3, height: 32, width: 32, repeating: 0.8)
    return StaticDataSource(modelNames: ["other", "bright", "dark"], images: [ViewerImageSet(name: "flat.png", hr: hr, lr: lr, scale: 4)],
                            outputs: [[hr], [bright], [dark]], architectures: ["SRVGGNetCompact", "RRDBNet", "RRDBNet"])
  }

  func render(_ keys: [KeyEvent?]) throws -> (RecordingTerminal, Viewer) {
    let term = RecordingTerminal(size: CellSize(rows: 30, cols: 160), script: keys)
    let viewer = Viewer(dataSource: source(), graphics: .blocks, terminal: term)
    try viewer.run()
    return (term, viewer)
  }

  @Test func thePanelAppearsWithItsTitleLegendAndPicture() throws {
    // A = dark (the last model), baseline: `b` makes it "bright"; three `>`: alpha 0.3.
    let (term, viewer) = try render([.char("b"), .char(">"), .char(">"), .char(">"), nil])
    #expect(viewer.state.interpolation == Interpolation(a: 2, b: 1, tenths: 3))
    let lines = term.lines
    // Six panels in two rows: the second row is "dark (A)", the interpolated panel, HR.
    let title = try #require(lines.firstIndex { $0.contains("A<->base \u{03B1}=0.3") && $0.hasSuffix("HR") })
    #expect(lines[title].hasPrefix("dark (A)"))
    #expect(lines.contains { $0.hasPrefix("A<->base \u{03B1}=0.3: the network 0.7\u{00B7}dark + 0.3\u{00B7}bright (every weight; < >:") })
    // LR, three models, the interpolated panel, HR; its picture is the blend 0.7 * 0.4 + 0.3 * 0.8 = 0.52
    // (the static source's pixel stand-in), byte 133 in 24-bit half-blocks.
    #expect(term.graphics.count == 6)
    #expect(String(decoding: term.graphics[4].bytes, as: UTF8.self).hasPrefix("\u{1B}[48;2;133;133;133m"))
    // Its crop metrics: |dY| = 0.02 * 219 = 4.38 -> 10 log10(255^2 / 4.38^2) = 35.30 dB.
    #expect(lines[title + 1].contains("PSNR-Y 35.30"))
  }

  @Test func mismatchedArchitecturesSayWhyInTheStatusLine() throws {
    // A = dark, baseline = other (model 0): no panel, the reason in the status line.
    let (term, viewer) = try render([.char(">"), nil])
    #expect(viewer.state.interpolation == nil)
    #expect(term.lines[29].hasPrefix("no A<->base interpolation: different architectures: dark is RRDBNet, other is SRVGGNetCompact"))
    #expect(term.graphics.count == 5)
    #expect(!term.text.contains("A<->base \u{03B1}"))
  }

  @Test func theHelpAndLegendListTheKeys() throws {
    #expect(HelpOverlay.lines.contains { $0.hasPrefix("< / >                A<->base network interpolation: alpha -/+ 0.1") })
  }
}
