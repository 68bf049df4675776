import Foundation

/// Validation PSNR-Y of one training run against iteration: the rows of the trainer's `log.csv`
/// (`iteration,loss,lr,val_psnr_y,val_ssim_y,seconds`) whose `val_psnr_y` is set.
public struct ValidationCurve: Sendable, Equatable {
  /// One validation measurement.
  public struct Point: Sendable, Equatable {
    /// Training iteration.
    public var iteration: Double
    /// Validation PSNR on the Y channel, dB.
    public var psnrY: Double
    /// Creates a point.
    public init(iteration: Double, psnrY: Double) { self.iteration = iteration; self.psnrY = psnrY }
  }

  /// At least one point, all finite, sorted by iteration.
  public let points: [Point]

  /// A curve from points; non-finite points are dropped, and `nil` when none is left.
  public init?(points: [Point]) {
    let kept = points.filter { $0.iteration.isFinite && $0.psnrY.isFinite }.sorted { $0.iteration < $1.iteration }
    guard !kept.isEmpty else { return nil }
    self.points = kept
  }

  /// The point with the highest PSNR-Y (the earliest one on ties).
  public var best: Point { points.max { $0.psnrY < $1.psnrY || ($0.psnrY == $1.psnrY && $0.iteration > $1.iteration) }! }
  /// The last validation point.
  public var last: Point { points[points.count - 1] }

  /// Parses log text: a header naming `iteration` and `val_psnr_y`, then comma-separated rows.
  /// Rows that are short, unparsable or not finite are skipped (training rows leave `val_psnr_y`
  /// empty). Returns `nil` when there is no such header or no validation row: never throws.
  public static func parse(csv text: String) -> ValidationCurve? {
    var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
      .makeIterator()
    func fields(_ line: Substring) -> [String] {
      line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }
    guard let first = lines.next() else { return nil }
    let header = fields(first)
    guard let it = header.firstIndex(of: "iteration"), let v = header.firstIndex(of: "val_psnr_y") else { return nil }
    var points: [Point] = []
    while let line = lines.next() {
      let row = fields(line)
      guard row.count > max(it, v), !row[v].isEmpty, let x = Double(row[it]), let y = Double(row[v]) else { continue }
      points.append(Point(iteration: x, psnrY: y))
    }
    return ValidationCurve(points: points)
  }

  /// Largest log file read (a trainer's log of 1500 iterations is ~60 kB).
  public static let maxFileBytes = 32 << 20

  /// Reads and parses a `log.csv`; `nil` when the file is missing, unreadable, too large, not
  /// UTF-8, or has no validation rows.
  public static func load(path: String) -> ValidationCurve? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
          attributes[.type] as? FileAttributeType == .typeRegular,
          let size = attributes[.size] as? NSNumber, size.intValue <= maxFileBytes,
          let data = FileManager.default.contents(atPath: path),
          let text = String(data: data, encoding: .utf8) else { return nil }
    return parse(csv: text)
  }
}
