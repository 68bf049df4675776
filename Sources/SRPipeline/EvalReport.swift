import Foundation

/// Formats evaluation rows as a text table, CSV, JSON or Markdown, with a per-model mean.
public enum EvalReport {
  public enum Format: String, CaseIterable, Sendable { case table, csv, json, markdown }

  static let columns = ["model", "image", "psnr_y", "ssim_y", "lpips_alex", "niqe", "params", "seconds"]

  /// Mean of each metric over a model's rows (nil when no row has that metric).
  public static func mean(_ rows: [EvalRow]) -> MetricValues {
    func avg(_ f: (MetricValues) -> Double?) -> Double? {
      let v = rows.compactMap { f($0.metrics) }
      return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
    }
    var m = MetricValues()
    m.psnr_y = avg(\.psnr_y); m.ssim_y = avg(\.ssim_y); m.psnr_rgb = avg(\.psnr_rgb); m.ssim_rgb = avg(\.ssim_rgb)
    m.lpips_alex = avg(\.lpips_alex); m.lpips_vgg = avg(\.lpips_vgg); m.niqe = avg(\.niqe)
    return m
  }

  /// Models in first-seen order.
  static func models(_ rows: [EvalRow]) -> [String] {
    var seen: [String] = []
    for r in rows where !seen.contains(r.model) { seen.append(r.model) }
    return seen
  }

  static func cells(model: String, image: String, _ m: MetricValues, params: Int?, seconds: Double?) -> [String] {
    func f(_ v: Double?, _ digits: Int) -> String {
      guard let v else { return "-" }
      return v.isInfinite ? "inf" : String(format: "%.\(digits)f", v)
    }
    return [model, image, f(m.psnr_y, 4), f(m.ssim_y, 4), f(m.lpips_alex, 4), f(m.niqe, 4),
            params.map(String.init) ?? "-", seconds.map { String(format: "%.2f", $0) } ?? "-"]
  }

  /// Every row plus one `mean` row per model.
  static func lines(_ rows: [EvalRow]) -> [[String]] {
    var out: [[String]] = rows.map { cells(model: $0.model, image: $0.image, $0.metrics, params: $0.parameters, seconds: $0.seconds) }
    for model in models(rows) {
      let mine = rows.filter { $0.model == model }
      out.append(cells(model: model, image: "mean", mean(mine), params: mine.first?.parameters,
                       seconds: mine.reduce(0) { $0 + $1.seconds }))
    }
    return out
  }

  /// The report in `format`.
  public static func render(_ rows: [EvalRow], format: Format) -> String {
    switch format {
    case .csv:
      return ([columns] + lines(rows)).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    case .markdown:
      let body = lines(rows).map { "| " + $0.joined(separator: " | ") + " |" }
      return (["| " + columns.joined(separator: " | ") + " |", "|" + String(repeating: " --- |", count: columns.count)] + body)
        .joined(separator: "\n") + "\n"
    case .table:
      let all = [columns] + lines(rows)
      let widths = columns.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
      return all.map { row in
        row.enumerated().map { c, s in c < 2 ? s.padding(toLength: widths[c], withPad: " ", startingAt: 0)
          : String(repeating: " ", count: widths[c] - s.count) + s }.joined(separator: "  ")
      }.joined(separator: "\n") + "\n"
    case .json:
      var perModel: [[String: Any]] = []
      for model in models(rows) {
        let mine = rows.filter { $0.model == model }
        var images: [[String: Any]] = []
        for r in mine {
          var o = r.metrics.jsonObject()
          o["image"] = r.image; o["seconds"] = r.seconds
          images.append(o)
        }
        var entry = mean(mine).jsonObject()
        entry["model"] = model
        entry["parameters"] = mine.first?.parameters ?? NSNull()
        entry["images"] = images
        perModel.append(entry)
      }
      let data = (try? JSONSerialization.data(withJSONObject: ["models": perModel], options: [.prettyPrinted, .sortedKeys])) ?? Data()
      return String(decoding: data, as: UTF8.self) + "\n"
    }
  }
}
