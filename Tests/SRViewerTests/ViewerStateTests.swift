import Testing
@testable import SRViewer

@Suite struct ViewerStateTests {
  let ctx = ViewerContext(modelCount: 4, imageCount: 3, imageSize: PixelSize(width: 192, height: 128))

  func run(_ keys: [KeyEvent], from start: ViewerState? = nil) -> ViewerState {
    keys.reduce(start ?? ViewerState(modelCount: 4)) { ViewerState.reduce($0, $1, ctx) }
  }

  @Test func movesAndClampsTheCrop() {
    // crop 64: small step 8, big step 32; x clamps at 192-64 = 128, y at 128-64 = 64.
    let s = run([.right, .char("l"), .shiftDown, .char("J"), .char("J")])
    #expect((s.cropX, s.cropY) == (16, 64))
    let t = run([.shiftRight, .shiftRight, .shiftRight, .shiftRight, .shiftRight, .char("h")])
    #expect(t.cropX == 120)
    #expect(run([.left, .up]).cropX == 0)
  }

  @Test func cropSizeKeysKeepTheCentreAndStopAtTheImage() {
    let s = run([.shiftRight, .char("[")])  // x 32, size 64 -> centre 64; size 48 -> x 40
    #expect((s.cropSize, s.cropX) == (48, 40))
    let big = run([.char("]"), .char("]"), .char("]"), .char("]")])
    #expect(big.cropSize == 192)  // 256 would exceed the 192-px image side
  }

  @Test func plusAndMinusMagnifyTheSameCrop() {
    let s = run([.char("+"), .char("+"), .char("-")])
    #expect(s.zoomSteps == 1 && s.cropSize == 64)
    #expect(Zoom(up: 2, down: 1).stepped(2) == Zoom(up: 4, down: 1))
    #expect(Zoom(up: 1, down: 1).stepped(-1) == Zoom(up: 1, down: 2))
    #expect(Zoom(up: 16, down: 1).stepped(3) == Zoom(up: 16, down: 1))
  }

  @Test func togglesModelsFocusBaselineAndModes() {
    var s = run([.char("2")])
    #expect(s.shownModels == [0, 2, 3])
    s = run([.char("2"), .char("2"), .char("\t")], from: nil)
    #expect(s.shownModels == [0, 1, 2, 3] && s.focus == 2)
    s = run([.char("b"), .char("b"), .char(" "), .char("e"), .char("e"), .char("?")])
    #expect(s.baseline == 2 && s.blink && s.errorMode == .versusBaseline && s.showHelp)
    #expect(run([.char("9")]).shownModels == [0, 1, 2, 3])  // no model 9
    // `a` shows the first hidden model after A (wrapping) and focuses it; none hidden: a message.
    s = run([.char("1"), .char("3"), .char("a")])  // hide 0 and 2; A is 3, so 0 comes next
    #expect(s.shownModels == [0, 1, 3] && s.focus == 0)
    s = run([.char("a")], from: s)
    #expect(s.shownModels == [0, 1, 2, 3] && s.focus == 2)
    #expect(run([.char("a")], from: s).message == "every model is shown")
    // Twelve models: 1-9 start shown; `a` reaches the 10th, 11th and 12th.
    let twelve = ViewerContext(modelCount: 12, imageCount: 1, imageSize: PixelSize(width: 64, height: 64))
    var t = ViewerState(modelCount: 12)
    #expect(t.shownModels == Array(0..<9))
    for expected in 9..<12 {
      t = ViewerState.reduce(t, .char("a"), twelve)
      #expect(t.focus == expected && t.shownModels == Array(0...expected))
    }
    #expect(run([.char("e"), .char("e"), .char("e"), .char("e")]).errorMode == .off)
  }

  @Test func navigatesImagesAndRequestsEffects() {
    #expect(run([.pageDown, .char("n"), .char("n")]).imageIndex == 0)
    #expect(run([.char("p")]).imageIndex == 2)
    #expect(run([.char("w")]).effect == .findWorst(restart: true))
    #expect(run([.char("x")]).effect == .export)
    #expect(run([.char("q")]).effect == .quit)
    #expect(run([.interrupt]).effect == .quit)
    #expect(run([.char("x"), .char("j")]).effect == nil)
  }
}

@Suite struct LayoutZoomTests {
  func frames(steps: Int) -> [PanelFrame] {
    // 160x50 cells of 1x2 half-block pixels, 6 panels of a 32x32 crop, 3 table rows.
    guard case .screen(let s) = Layout.compute(terminal: CellSize(rows: 50, cols: 160), pixelsPerCell: PixelSize(width: 1, height: 2),
                                               panelCount: 6, crop: PixelSize(width: 32, height: 32), modelCount: 3,
                                               bandHeight: 2, zoomSteps: steps) else { return [] }
    return s.panels
  }

  @Test func magnifyingShowsTheCentreOfTheSameCrop() {
    let fit = frames(steps: 0)
    #expect(fit.first?.zoom == Zoom(up: 1, down: 1) && fit.count == 6)
    let crop = CropRect(x: 100, y: 40, width: 32, height: 32)
    #expect(fit.first?.visible(crop) == crop)
    let two = frames(steps: 1)
    #expect(two.first?.zoom == Zoom(up: 2, down: 1) && two.count == 6)
    // Every panel still shows; the picture is cut to its space and shows the crop's centre, at 2x.
    let shown = two.first!.visible(crop)
    #expect(shown.width * 2 == two.first!.picture.pixels.width && shown.height * 2 == two.first!.picture.pixels.height)
    #expect(shown.x - crop.x == (crop.width - shown.width) / 2 && shown.y - crop.y == (crop.height - shown.height) / 2)
    #expect(shown.width < 32)
    #expect(frames(steps: -1).first?.zoom == Zoom(up: 1, down: 2))
    #expect(frames(steps: -1).first?.picture.pixels == PixelSize(width: 16, height: 16))
  }
}
