/// The viewer's run chart: validation PSNR-Y against iteration of the selected run, highlighted in
/// its `srscope plot` colour, over every other run's curve in faint grey. Only lines are drawn into
/// the picture; the axis labels are terminal text around it (sharp in both sixel and half-blocks).
public enum RunChart {
  /// The data ranges, shared by all curves so the axes stay put when the selection changes.
  public struct Axes: Sendable, Equatable {
    /// First and last iteration over all curves.
    public var xMin: Double, xMax: Double
    /// Lowest and highest PSNR-Y over all curves (the bottom and top picture rows).
    public var yMin: Double, yMax: Double
  }

  /// Background, as in `srscope plot`.
  public static let background: (UInt8, UInt8, UInt8) = (24, 24, 24)
  /// Frame (left and bottom edges) and the middle grid line.
  public static let frame: (UInt8, UInt8, UInt8) = (70, 70, 70), gridLine: (UInt8, UInt8, UInt8) = (42, 42, 42)
  /// The other runs' curves.
  public static let faint: (UInt8, UInt8, UInt8) = (95, 95, 95)

  /// The ranges of every curve together, or `nil` when there is none.
  public static func axes(_ curves: [ValidationCurve?]) -> Axes? {
    let points = curves.compactMap { $0 }.flatMap(\.points)
    guard let xMin = points.map(\.iteration).min(), let xMax = points.map(\.iteration).max(),
          let yMin = points.map(\.psnrY).min(), let yMax = points.map(\.psnrY).max() else { return nil }
    return Axes(xMin: xMin, xMax: xMax, yMin: yMin, yMax: yMax)
  }

  /// The pixel of a point: `xMin` on column 0, `xMax` on the last column, `yMax` on row 0, `yMin` on
  /// the last row (rounded to nearest); a flat range puts every point in the middle.
  public static func position(_ p: ValidationCurve.Point, axes: Axes, size: PixelSize) -> (x: Int, y: Int) {
    let w = Double(max(1, size.width) - 1), h = Double(max(1, size.height) - 1)
    let x = axes.xMax > axes.xMin ? ((p.iteration - axes.xMin) / (axes.xMax - axes.xMin) * w).rounded() : (w / 2).rounded(.down)
    let y = axes.yMax > axes.yMin ? h - ((p.psnrY - axes.yMin) / (axes.yMax - axes.yMin) * h).rounded() : (h / 2).rounded(.down)
    return (Int(max(0, min(w, x))), Int(max(0, min(h, y))))
  }

  /// How many distinct runs other than `highlight`'s the chart shows in grey: snapshots of one run
  /// (manifest entries sharing a training log) have the same curve and count once.
  public static func otherRunCount(_ curves: [ValidationCurve?], highlight: Int) -> Int {
    let selected = curves.indices.contains(highlight) ? curves[highlight] : nil
    var distinct: [ValidationCurve] = []
    for case let c? in curves where c != selected && !distinct.contains(c) { distinct.append(c) }
    return distinct.count
  }

  /// The highlight colour of model `m`: the `srscope plot` colour of its run (runs numbered in model
  /// order among the models that have a curve).
  public static func color(of m: Int, curves: [ValidationCurve?]) -> (UInt8, UInt8, UInt8) {
    let k = curves.prefix(max(0, m)).filter { $0 != nil }.count
    return LineChart.palette[k % LineChart.palette.count]
  }

  /// Line width of the highlighted curve: 1 pixel below 96 rows (half-blocks), then 2, 3 from 144.
  public static func thickness(_ size: PixelSize) -> Int { max(1, min(3, size.height / 48)) }

  /// Draws the chart with `highlight` on top, or returns `nil` when that model has no curve or the
  /// picture is smaller than 2x2.
  public static func render(_ curves: [ValidationCurve?], highlight: Int, size: PixelSize) -> RGBImage? {
    guard size.width >= 2, size.height >= 2, curves.indices.contains(highlight), let selected = curves[highlight],
          let axes = axes(curves) else { return nil }
    var img = RGBImage(width: size.width, height: size.height, fill: background)
    let w = size.width, h = size.height
    LineChart.line(&img, 0, h / 2, w - 1, h / 2, gridLine)
    LineChart.line(&img, 0, 0, 0, h - 1, frame)
    LineChart.line(&img, 0, h - 1, w - 1, h - 1, frame)
    func polyline(_ c: ValidationCurve, _ color: (UInt8, UInt8, UInt8), width: Int) {
      let pts = c.points.map { position($0, axes: axes, size: size) }
      for dy in 0..<width {
        if pts.count == 1 { LineChart.line(&img, pts[0].x, pts[0].y - dy, pts[0].x, pts[0].y - dy, color) }
        for (a, b) in zip(pts, pts.dropFirst()) { LineChart.line(&img, a.x, a.y - dy, b.x, b.y - dy, color) }
      }
    }
    for (m, c) in curves.enumerated() where m != highlight { if let c { polyline(c, faint, width: 1) } }
    polyline(selected, color(of: highlight, curves: curves), width: thickness(size))
    return img
  }
}
