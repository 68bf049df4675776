import Foundation

/// What the cached run-chart payload was drawn from.
struct ChartKey: Equatable {
  var model: Int, size: PixelSize, curves: [ValidationCurve?]
}

extension Viewer {
  /// Every model's validation curve, in table order (`nil` where there is no training log).
  func validationCurves() -> [ValidationCurve?] {
    (0..<data.modelNames.count).map { data.validationCurve(model: $0) }
  }

  /// Whether the layout keeps room for the run chart: some model has a training log. (Not only the
  /// focus, so the panels do not jump when Tab moves to a model without one.)
  var wantsChart: Bool { validationCurves().contains { $0 != nil } }

  /// The run chart of model A (the table's `>` row): title with its last and best validation PSNR-Y,
  /// y labels (highest and lowest dB of all runs), the picture, x labels (first and last iteration).
  /// A model without a training log gets a one-line note and no picture.
  func drawChart(_ frame: ChartFrame, on term: TerminalDevice) {
    let curves = validationCurves(), m = state.focus
    guard curves.indices.contains(m), let curve = curves[m], let axes = RunChart.axes(curves) else {
      term.write(MetricTable.fit("validation PSNR-Y: \(modelName(m)) has no training log", frame.width),
                 row: frame.titleRow, col: frame.col, attributes: [])
      return
    }
    let others = RunChart.otherRunCount(curves, highlight: m)
    var title = "val PSNR-Y: \(modelName(m)) (A)  last " + String(format: "%.2f dB @%.0f", curve.last.psnrY, curve.last.iteration)
      + "  best " + String(format: "%.2f @%.0f", curve.best.psnrY, curve.best.iteration)
    let grey = "  grey: \(others) other run\(others == 1 ? "" : "s")"
    if others > 0, title.count + grey.count <= frame.width { title += grey }
    term.write(MetricTable.fit(title, frame.width), row: frame.titleRow, col: frame.col, attributes: .bold)
    let label = frame.picture.col - frame.col - 1
    term.write(MetricTable.fit(Self.rightAligned(String(format: "%.2f", axes.yMax), label), label + 1),
               row: frame.picture.row, col: frame.col, attributes: [])
    term.write(MetricTable.fit(Self.rightAligned(String(format: "%.2f", axes.yMin), label), label + 1),
               row: frame.picture.row + frame.picture.cells.rows - 1, col: frame.col, attributes: [])
    let first = String(format: "%.0f", axes.xMin), last = String(format: "%.0f", axes.xMax), mid = "iteration"
    let span = frame.picture.cells.cols
    var axis = Array(repeating: Character(" "), count: span)
    func put(_ s: String, at c: Int) {
      guard c >= 0, c + s.count <= span else { return }
      for (i, ch) in s.enumerated() { axis[c + i] = ch }
    }
    if first.count + last.count + mid.count + 2 <= span { put(mid, at: (span - mid.count) / 2) }
    put(first, at: 0)
    if first.count + last.count + 1 <= span { put(last, at: span - last.count) }
    term.write(String(axis), row: frame.axisRow, col: frame.picture.col, attributes: [])
    guard !state.showHelp, let tiles = chartPayload(curves, model: m, size: frame.picture.pixels) else { return }
    place(tiles, at: frame.picture, on: term)
  }

  /// The encoded chart picture, cached until the model, size or curves change.
  func chartPayload(_ curves: [ValidationCurve?], model: Int, size: PixelSize) -> [GraphicsTile]? {
    let key = ChartKey(model: model, size: size, curves: curves)
    if let cached = chartCache, cached.key == key { return cached.tiles }
    guard let renderer, let img = RunChart.render(curves, highlight: model, size: size),
          let tiles = renderer.encode(img) else { return nil }
    chartCache = (key, tiles)
    return tiles
  }

  static func rightAligned(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
  }
}
