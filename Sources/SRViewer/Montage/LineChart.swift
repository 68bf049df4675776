import Foundation

/// A small line chart (validation PSNR against iteration, one line per run) drawn into an
/// `RGBImage` with the bitmap font: used by `srscope plot` and the viewer's run chart.
public enum LineChart {
  /// One named line.
  public struct Series: Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]
    public init(name: String, points: [(x: Double, y: Double)]) { self.name = name; self.points = points }
  }

  /// Distinct colours for up to eight series (then repeating).
  static let palette: [(UInt8, UInt8, UInt8)] = [
    (230, 85, 13), (49, 130, 189), (49, 163, 84), (156, 102, 199), (222, 45, 38), (255, 187, 0), (0, 190, 190), (200, 200, 200),
  ]

  /// Renders `series` into a `width` x `height` chart with axis ranges fitted to the data.
  public static func render(_ series: [Series], width: Int = 720, height: Int = 420,
                            title: String, xLabel: String, yLabel: String) -> RGBImage {
    var img = RGBImage(width: width, height: height, fill: (24, 24, 24))
    let s = 2, left = 70, right = 20, top = 34, bottom = 40
    let legendHeight = (series.count + 1) / 2 * 14
    let plotW = width - left - right, plotH = height - top - bottom - legendHeight
    let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
    guard plotW > 10, plotH > 10, let x0 = xs.min(), let x1 = xs.max(), let yMin = ys.min(), let yMax = ys.max() else {
      BitmapFont.draw("NO DATA", into: &img, x: 10, y: 10, scale: s, color: (255, 255, 255))
      return img
    }
    let pad = max(0.05, (yMax - yMin) * 0.08)
    let y0 = yMin - pad, y1 = yMax + pad
    func px(_ x: Double) -> Int { left + Int((x - x0) / max(1e-9, x1 - x0) * Double(plotW - 1)) }
    func py(_ y: Double) -> Int { top + plotH - 1 - Int((y - y0) / max(1e-9, y1 - y0) * Double(plotH - 1)) }
    BitmapFont.draw(title, into: &img, x: left, y: 8, scale: s, color: (255, 255, 255))
    for i in 0...4 {  // horizontal grid with y labels
      let v = y0 + (y1 - y0) * Double(i) / 4
      let y = py(v)
      line(&img, left, y, left + plotW - 1, y, (60, 60, 60))
      BitmapFont.draw(String(format: "%.2f", v), into: &img, x: 4, y: y - 5, scale: s, color: (180, 180, 180))
    }
    line(&img, left, top + plotH - 1, left + plotW - 1, top + plotH - 1, (150, 150, 150))
    line(&img, left, top, left, top + plotH - 1, (150, 150, 150))
    BitmapFont.draw(String(format: "%.0f", x0), into: &img, x: left, y: top + plotH + 4, scale: s, color: (180, 180, 180))
    let xEnd = String(format: "%.0f", x1)
    BitmapFont.draw(xEnd, into: &img, x: left + plotW - BitmapFont.width(xEnd, scale: s), y: top + plotH + 4, scale: s,
                    color: (180, 180, 180))
    BitmapFont.draw(xLabel + "   Y: " + yLabel, into: &img, x: left + plotW / 3, y: top + plotH + 4, scale: s,
                    color: (180, 180, 180))
    for (i, ser) in series.enumerated() {
      let c = palette[i % palette.count]
      let pts = ser.points.filter { $0.y.isFinite }.sorted { $0.x < $1.x }
      for (a, b) in zip(pts, pts.dropFirst()) {
        line(&img, px(a.x), py(a.y), px(b.x), py(b.y), c)
        line(&img, px(a.x), py(a.y) + 1, px(b.x), py(b.y) + 1, c)
      }
      let lx = left + (i % 2) * (plotW / 2), ly = top + plotH + 20 + (i / 2) * 14
      for dy in 0..<4 { line(&img, lx, ly + 3 + dy, lx + 14, ly + 3 + dy, c) }
      BitmapFont.draw(ser.name, into: &img, x: lx + 20, y: ly, scale: s, color: (230, 230, 230))
    }
    return img
  }

  /// Bresenham line, clipped to the image.
  static func line(_ img: inout RGBImage, _ xa: Int, _ ya: Int, _ xb: Int, _ yb: Int, _ c: (UInt8, UInt8, UInt8)) {
    var x = xa, y = ya
    let dx = abs(xb - xa), dy = -abs(yb - ya), sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1
    var err = dx + dy
    while true {
      if x >= 0, y >= 0, x < img.width, y < img.height {
        let i = (y * img.width + x) * 3
        img.pixels[i] = c.0; img.pixels[i + 1] = c.1; img.pixels[i + 2] = c.2
      }
      if x == xb && y == yb { break }
      let e2 = 2 * err
      if e2 >= dy { err += dy; x += sx }
      if e2 <= dx { err += dx; y += sy }
    }
  }
}
