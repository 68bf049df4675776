extension ViewerState {
  /// Applies one input event and returns the new state; pure, no I/O.
  ///
  /// Side work (worst-first search, export, quit) is requested through `effect`.
  public static func reduce(_ state: ViewerState, _ key: KeyEvent, _ ctx: ViewerContext) -> ViewerState {
    var s = state
    s.effect = nil
    s.message = nil
    switch key {
    case .up, .char("k"): s.move(dx: 0, dy: -s.smallStep, ctx)
    case .down, .char("j"): s.move(dx: 0, dy: s.smallStep, ctx)
    case .left, .char("h"): s.move(dx: -s.smallStep, dy: 0, ctx)
    case .right, .char("l"): s.move(dx: s.smallStep, dy: 0, ctx)
    case .shiftUp, .char("K"): s.move(dx: 0, dy: -s.bigStep, ctx)
    case .shiftDown, .char("J"): s.move(dx: 0, dy: s.bigStep, ctx)
    case .shiftLeft, .char("H"): s.move(dx: -s.bigStep, dy: 0, ctx)
    case .shiftRight, .char("L"): s.move(dx: s.bigStep, dy: 0, ctx)
    case .char("+"), .char("="), .mouse(_, _, .wheelUp): s.zoomSteps = min(s.zoomSteps + 1, 8)
    case .char("-"), .char("_"), .mouse(_, _, .wheelDown): s.zoomSteps = max(s.zoomSteps - 1, -7)
    case .char("["): s.zoom(by: -1, ctx)
    case .char("]"): s.zoom(by: 1, ctx)
    case .char("n"), .pageDown: s.changeImage(by: 1, ctx)
    case .char("p"), .pageUp: s.changeImage(by: -1, ctx)
    case .char(let c) where ("1"..."9").contains(c): if let n = Int(String(c)) { s.toggleModel(n - 1, ctx) }
    case .char("\t"): s.cycleFocus()
    case .char("a"): s.showNextHidden(ctx)
    case .char("b"): if ctx.modelCount > 0 { s.baseline = (s.baseline + 1) % ctx.modelCount }
    case .char(" "): s.blink.toggle(); s.blinkPhase = 0
    case .char("e"): s.errorMode = ErrorMapMode(rawValue: (s.errorMode.rawValue + 1) % 4) ?? .off
    case .char("w"): s.effect = .findWorst(restart: true)
    case .char("W"): s.effect = .findWorst(restart: s.worstRanking.isEmpty)
    case .char("x"): s.effect = .export
    case .char("m"): s.showSetMean.toggle()
    case .char("<"): s.stepInterpolation(by: -1, ctx)
    case .char(">"): s.stepInterpolation(by: 1, ctx)
    case .char("?"): s.showHelp.toggle()
    case .escape:
      // Closes the help first; otherwise stops blink and hides the interpolation panel.
      if s.showHelp { s.showHelp = false } else { s.blink = false; s.interpolationTenths = nil }
    case .char("q"), .interrupt: s.effect = .quit
    case .char, .resize, .mouse: break
    }
    return s
  }

  /// Pan step for arrows/hjkl: an eighth of the crop.
  var smallStep: Int { max(1, cropSize / 8) }
  /// Pan step for shifted arrows/HJKL: half the crop.
  var bigStep: Int { max(1, cropSize / 2) }

  /// Moves the crop, clamped inside the image.
  mutating func move(dx: Int, dy: Int, _ ctx: ViewerContext) {
    cropX += dx
    cropY += dy
    clamp(ctx)
  }

  /// Centres the crop on an HR pixel (mouse click), clamped.
  public mutating func center(onX x: Int, y: Int, _ ctx: ViewerContext) {
    cropX = x - cropSize / 2
    cropY = y - cropSize / 2
    clamp(ctx)
  }

  /// Keeps the crop inside the image.
  public mutating func clamp(_ ctx: ViewerContext) {
    cropX = max(0, min(cropX, ctx.imageSize.width - cropSize))
    cropY = max(0, min(cropY, ctx.imageSize.height - cropSize))
  }

  mutating func zoom(by delta: Int, _ ctx: ViewerContext) {
    let centerX = cropX + cropSize / 2, centerY = cropY + cropSize / 2
    var index = max(0, min(cropSizeIndex + delta, Self.cropSizes.count - 1))
    // Do not grow past the image: the smallest size that covers its larger side is the limit.
    let largest = max(ctx.imageSize.width, ctx.imageSize.height)
    while delta > 0, index > 0, largest > 0, Self.cropSizes[index - 1] >= largest { index -= 1 }
    cropSizeIndex = index
    center(onX: centerX, y: centerY, ctx)
  }

  mutating func changeImage(by delta: Int, _ ctx: ViewerContext) {
    guard ctx.imageCount > 0 else { return }
    imageIndex = (imageIndex + delta + ctx.imageCount) % ctx.imageCount
  }

  mutating func toggleModel(_ model: Int, _ ctx: ViewerContext) {
    guard model < ctx.modelCount else { return }
    if let i = shownModels.firstIndex(of: model) {
      shownModels.remove(at: i)
      if focus == model, let first = shownModels.first { focus = first }
    } else {
      shownModels.append(model)
      shownModels.sort()
      focus = model
    }
  }

  /// Shows the first hidden model after model A (in index order, wrapping) and makes it A: the
  /// way to reach models past the ninth, which have no digit key.
  mutating func showNextHidden(_ ctx: ViewerContext) {
    let (count, focus, shown) = (ctx.modelCount, focus, shownModels)
    guard count > 0, let next = (1...count).map({ (focus + $0) % count }).first(where: { !shown.contains($0) })
    else { message = "every model is shown"; return }
    toggleModel(next, ctx)
  }

  mutating func cycleFocus() {
    guard !shownModels.isEmpty else { return }
    let i = shownModels.firstIndex(of: focus) ?? -1
    focus = shownModels[(i + 1) % shownModels.count]
  }
}
