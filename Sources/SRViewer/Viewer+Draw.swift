import SRTensor

extension Viewer {
  /// The panels on screen, in order: LR, shown models, HR; in blink mode the one current frame.
  func panelSources() -> [PanelSource] {
    if state.blink {
      let partner: PanelSource = state.blinkPartner.map { .model($0) } ?? .hr
      return [state.blinkPhase == 0 ? .model(state.focus) : partner]
    }
    return [.lr] + state.shownModels.map { .model($0) } + (state.interpolation.map { [.interpolated($0)] } ?? []) + [.hr]
  }

  /// The model's display name, or `model N` when out of range.
  func modelName(_ m: Int) -> String {
    data.modelNames.indices.contains(m) ? data.modelNames[m] : "model \(m + 1)"
  }

  /// Renders one complete frame.
  public func draw(on term: TerminalDevice) {
    let mode = renderer?.mode ?? .blocks(.trueColor)
    if renderer == nil { renderer = PanelRenderer(mode: mode, capabilities: term.capabilities) }
    term.beginFrame()
    defer { term.endFrame() }
    let size = term.size
    guard let set = data.imageSet(state.imageIndex) else {
      let position = "\(state.imageIndex + 1)/\(data.imageCount)"
      let line = data.imageError(state.imageIndex).map { "[\(position)] \($0) (n / p: other images)" }
        ?? "Loading image \(position)..."
      term.write(MetricTable.fit(line, size.cols), row: 0, col: 0, attributes: .bold)
      drawStatus(on: term, row: size.rows - 1, cols: size.cols)
      return
    }
    if !centeredInitialCrop {
      centeredInitialCrop = true
      state.center(onX: set.hr.width / 2, y: set.hr.height / 2, context())
    }
    let crop = state.crop(in: PixelSize(width: set.hr.width, height: set.hr.height))
    let sources = panelSources()
    let layout = Layout.compute(terminal: size, pixelsPerCell: mode.pixelsPerCell(term.capabilities.cellPixels),
                                panelCount: sources.count, crop: PixelSize(width: crop.width, height: crop.height),
                                modelCount: data.modelNames.count, bandHeight: mode.bandHeight, chart: wantsChart,
                                zoomSteps: state.zoomSteps, maxPicture: maxPicture(mode, term))
    guard case .screen(let screen) = layout else {
      if case .tooSmall(let message) = layout {
        drawWrapped(message, on: term, top: 0, col: 0, width: size.cols, rows: size.rows, attributes: .bold)
      }
      return
    }
    let zoom = screen.panels.first?.zoom ?? Zoom(up: 1, down: 1)
    let shownCrop = screen.panels.first.map { $0.visible(crop) } ?? crop
    let part = shownCrop == crop ? "" : " (centre \(shownCrop.width)x\(shownCrop.height) shown)"
    term.write(MetricTable.fit("[\(state.imageIndex + 1)/\(data.imageCount)] \(set.name)  crop \(crop.width)x\(crop.height)"
      + " at \(crop.x),\(crop.y)  zoom \(zoom)\(state.zoomSteps == 0 ? " (fit)" : part)  A: \(modelName(state.focus))  base: \(modelName(state.baseline))"
      + "  \(mode.label(term.capabilities))", size.cols), row: 0, col: 0, attributes: .bold)
    for (frame, source) in zip(screen.panels, sources) {
      drawPanel(source, frame: frame, crop: crop, set: set, on: term)
    }
    drawLegend(on: term, row: screen.legendRow, cols: size.cols)
    drawTable(on: term, screen: screen, cols: screen.tableWidth)
    if let chart = screen.chart { drawChart(chart, on: term) }
    drawStatus(on: term, row: screen.statusRow, cols: size.cols)
    if state.showHelp { HelpOverlay.draw(on: term) }
  }

  func drawPanel(_ source: PanelSource, frame: PanelFrame, crop: CropRect, set: ViewerImageSet, on term: TerminalDevice) {
    let showsMap = PanelRenderer.showsMap(source, state.errorMode, baseline: state.baseline)
    var name: String, detail: String, region: CropRect?, ready = true
    switch source {
    case .lr: name = "LR x\(set.scale) (nearest)"; detail = "input"
    case .hr: name = "HR"; detail = "reference"
    case .model(let m):
      name = modelName(m) + (m == state.focus ? " (A)" : "") + (m == state.baseline ? " (base)" : "")
      if let error = data.modelError(model: m, image: state.imageIndex) {
        term.write(MetricTable.fit(name, frame.width), row: frame.labelRow, col: frame.col, attributes: .bold)
        term.write(MetricTable.fit("failed", frame.width), row: frame.labelRow + 1, col: frame.col, attributes: [])
        drawWrapped("error: " + error, on: term, top: frame.picture.row, col: frame.col, width: frame.width,
                    rows: max(1, frame.picture.cells.rows))
        return
      }
      detail = MetricTable.cropLabel(cropMetrics(model: m, crop: crop), width: frame.width)
    case .interpolated(let i):
      // The crop on screen first, then the whole image (its metrics once it is there).
      name = i.title
      let shown = frame.visible(crop)
      switch data.interpolatedOutput(i, image: state.imageIndex, crop: shown) {
      case let out? where out.region == nil:
        detail = MetricTable.cropLabel(cropMetrics(interpolation: i, output: out.image, crop: crop), width: frame.width)
      case let out? where out.region!.contains(shown): region = out.region; detail = "crop first; whole image next"
      default: detail = "(1-\u{03B1})\u{00B7}A + \u{03B1}\u{00B7}base"; ready = false
      }
    }
    if showsMap { name += " [\(state.errorMode.label)]" }
    if state.blink { name = "BLINK: " + name }
    term.write(MetricTable.fit(name, frame.width), row: frame.labelRow, col: frame.col, attributes: .bold)
    term.write(MetricTable.fit(detail, frame.width), row: frame.labelRow + 1, col: frame.col, attributes: [])
    guard !state.showHelp else { return }
    guard ready else {
      term.write(MetricTable.fit("computing...", frame.width), row: frame.picture.row, col: frame.col, attributes: [])
      return
    }
    let spec = PanelSpec(source: source, image: state.imageIndex, crop: frame.visible(crop), zoom: frame.zoom, size: frame.picture.pixels,
                         errorMode: state.errorMode, baseline: state.baseline, region: region)
    if let tiles = renderer?.payload(spec, data: data) {
      place(tiles, at: frame.picture, on: term)
    } else {
      let what = showsMap && state.errorMode == .lpips ? "no LPIPS map" : "computing..."
      term.write(MetricTable.fit(what, frame.width), row: frame.picture.row, col: frame.col, attributes: [])
    }
  }

  /// The largest picture the layout may place: the terminal's sixel maximum in sixel mode, none for
  /// half-blocks.
  func maxPicture(_ mode: RenderMode, _ term: TerminalDevice) -> PixelSize? {
    mode == .sixel ? term.capabilities.sixelMaxPicture : nil
  }

  /// Writes a picture's tiles, each at its cell offset inside the placement.
  func place(_ tiles: [GraphicsTile], at p: PicturePlacement, on term: TerminalDevice) {
    for t in tiles { term.writeGraphics(t.bytes, row: p.row + t.row, col: p.col + t.col, cells: t.cells) }
  }

  func drawLegend(on term: TerminalDevice, row: Int, cols: Int) {
    var text: String
    switch state.errorMode {
    case .off:
      text = state.blink ? "blink: \(modelName(state.focus)) <-> \(state.blinkPartner.map(modelName) ?? "HR") (space stops)" : ""
      if !state.blink, let i = state.interpolation {
        let weight = Interpolation.decimal
        text = "\(i.title): the network \(weight(10 - i.tenths))\u{00B7}\(modelName(i.a)) + \(weight(i.tenths))\u{00B7}\(modelName(i.b))"
          + " (every weight; < >: \u{03B1} -/+ 0.1, Esc: off)"
      }
    case .lpips:
      text = "LPIPS map, fixed scale 0 (black) .. 1 (white): red ~0.33, yellow ~0.67; above 1 clips"
    case .versusHR, .versusBaseline:
      text = "\(state.errorMode.label) mean over RGB, fixed scale 0 (black) .. 0.25 (white): red ~0.08, yellow ~0.17; above clips"
    }
    if let set = data.imageSet(state.imageIndex, wanted: false) {
      let crop = state.crop(in: PixelSize(width: set.hr.width, height: set.hr.height))
      let short = data.cropMetricMinimumSides.filter { min(crop.width, crop.height) < $0.side }
      if !short.isEmpty {
        let why = "n/a: " + short.map { "\($0.metric) needs a crop of at least \($0.side) px" }.joined(separator: ", ") + " (]: larger crop)"
        text = text.isEmpty ? why : text + " | " + why
      }
    }
    let table = state.showSetMean
      ? "table: set mean over \(setMeanImagesReady)/\(data.imageCount) images (m: this image)"
      : "table: this image (m: set mean)"
    text = text.isEmpty ? table : text + " | " + table
    term.write(MetricTable.fit(text, cols), row: row, col: 0, attributes: [])
  }

  func drawTable(on term: TerminalDevice, screen: ScreenLayout, cols: Int) {
    term.write(MetricTable.fit(MetricTable.header, cols), row: screen.tableRow, col: 0, attributes: .bold)
    func metrics(_ m: Int) -> MetricRow? { state.showSetMean ? setMean(model: m) : data.wholeImageMetrics(model: m, image: state.imageIndex) }
    let base = metrics(state.baseline)
    let count = data.modelNames.count
    // Scroll so the focus row stays visible when not every model fits.
    let first = max(0, min(state.focus - screen.tableModelRows + 1, count - screen.tableModelRows))
    for (line, m) in (first..<min(count, first + screen.tableModelRows)).enumerated() {
      let row = MetricTable.row(index: m, name: modelName(m), metrics: metrics(m),
                                baseline: base, isShown: state.shownModels.contains(m), isFocus: m == state.focus,
                                isBaseline: m == state.baseline, error: data.modelError(model: m, image: state.imageIndex))
      term.write(MetricTable.fit(row, cols), row: screen.tableRow + 1 + line, col: 0, attributes: [])
    }
  }

  /// The mean of each metric over the images where it is known (as `srscope eval` averages), or
  /// nil while no image has metrics; NaN ("n/a") when no image could compute it.
  func setMean(model m: Int) -> MetricRow? {
    let rows = (0..<data.imageCount).compactMap { data.wholeImageMetrics(model: m, image: $0) }
    guard !rows.isEmpty else { return nil }
    func mean(_ f: (MetricRow) -> Double?) -> Double {
      let v = rows.compactMap(f).filter { !$0.isNaN }
      return v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
    }
    return MetricRow(psnrY: mean(\.psnrY), ssimY: mean(\.ssimY), lpips: mean(\.lpips), niqe: mean(\.niqe))
  }

  /// The images whose metrics are known for every model that has not failed.
  var setMeanImagesReady: Int {
    (0..<data.imageCount).filter { i in
      data.modelNames.indices.allSatisfy { data.wholeImageMetrics(model: $0, image: i) != nil || data.modelError(model: $0, image: i) != nil }
    }.count
  }

  func drawStatus(on term: TerminalDevice, row: Int, cols: Int) {
    let p = data.progress
    var left = p.done < p.total ? "working \(p.done)/\(p.total): \(p.message)" : "ready"
    let failed = data.failedModels(image: state.imageIndex).count
    if failed > 0 { left += " | \(failed) of \(data.modelNames.count) models failed (error in panel and table)" }
    if let message = state.message { left = message }
    let right = " ?:help q:quit"
    let width = max(0, cols - right.count)
    term.write(MetricTable.pad(left, width) + right, row: row, col: 0, attributes: .reverse)
  }

  /// Word-wraps `message` into a block of `rows` x `width` cells (the last line cut with `~`).
  func drawWrapped(_ message: String, on term: TerminalDevice, top: Int, col: Int, width: Int, rows: Int,
                   attributes: TextAttributes = []) {
    var lines: [String] = [], line = ""
    for word in message.split(separator: " ") {
      if !line.isEmpty, line.count + 1 + word.count > width { lines.append(line); line = "" }
      line += (line.isEmpty ? "" : " ") + word
    }
    if !line.isEmpty { lines.append(line) }
    for (i, text) in lines.prefix(rows).enumerated() {
      let cut = i == rows - 1 && lines.count > rows ? text + " ..." : text
      term.write(MetricTable.fit(cut, width), row: top + i, col: col, attributes: attributes)
    }
  }

  /// Crop metrics of the whole-image output of an interpolated network, cached as the models' are.
  func cropMetrics(interpolation: Interpolation, output: Tensor, crop: CropRect) -> MetricRow? {
    let key = CropMetricKey(model: -1, image: state.imageIndex, crop: crop, interpolation: interpolation)
    if let hit = cropMetricCache[key] { return hit }
    guard let row = data.cropMetrics(of: output, image: state.imageIndex, crop: crop) else { return nil }
    if cropMetricCache.count > 4096 { cropMetricCache.removeAll() }
    cropMetricCache[key] = row
    return row
  }

  /// Crop metrics from the data source, cached per (model, image, crop) once available.
  func cropMetrics(model: Int, crop: CropRect) -> MetricRow? {
    let key = CropMetricKey(model: model, image: state.imageIndex, crop: crop)
    if let hit = cropMetricCache[key] { return hit }
    guard let row = data.cropMetrics(model: model, image: state.imageIndex, crop: crop) else { return nil }
    if cropMetricCache.count > 4096 { cropMetricCache.removeAll() }
    cropMetricCache[key] = row
    return row
  }

  /// Maps a click on a panel picture to the HR pixel under it.
  func hitTest(row: Int, col: Int, term: TerminalDevice) -> (Int, Int)? {
    guard let set = data.imageSet(state.imageIndex), let mode = renderer?.mode else { return nil }
    let crop = state.crop(in: PixelSize(width: set.hr.width, height: set.hr.height))
    let ppc = mode.pixelsPerCell(term.capabilities.cellPixels)
    guard case .screen(let screen) = Layout.compute(
      terminal: term.size, pixelsPerCell: ppc, panelCount: panelSources().count,
      crop: PixelSize(width: crop.width, height: crop.height), modelCount: data.modelNames.count, bandHeight: mode.bandHeight,
      chart: wantsChart, zoomSteps: state.zoomSteps, maxPicture: maxPicture(mode, term))
    else { return nil }
    for f in screen.panels where f.picture.contains(row: row, col: col) {
      let px = (col - f.picture.col) * ppc.width + ppc.width / 2
      let py = (row - f.picture.row) * ppc.height + ppc.height / 2
      let shown = f.visible(crop)
      return (shown.x + px * f.zoom.down / f.zoom.up, shown.y + py * f.zoom.down / f.zoom.up)
    }
    return nil
  }
}
