import Foundation

/// The result of `srscope eval` (or one shard of it): the rows and what they were measured on.
/// Its JSON is what `--shard` writes and `--merge` reads; every value round-trips exactly.
public struct EvalResult: Codable, Sendable, Equatable {
  /// One evaluated model.
  public struct ModelInfo: Codable, Sendable, Equatable {
    public var name: String
    /// The checkpoint or results folder (`bicubic` for the baseline).
    public var path: String
    public var parameters: Int?
    public init(name: String, path: String, parameters: Int?) { self.name = name; self.path = path; self.parameters = parameters }
  }

  /// `index` of `count` (1-based), when the run was one shard.
  public struct Shard: Codable, Sendable, Equatable {
    public var index: Int
    public var count: Int
    public init(index: Int, count: Int) { self.index = index; self.count = count }
  }

  public var format = "srscope-eval-1"
  public var models: [ModelInfo]
  public var images: [String]
  public var scale: Int
  public var cropBorder: Int
  public var shard: Shard?
  public var rows: [EvalRow]

  public init(models: [ModelInfo], images: [String], scale: Int, cropBorder: Int, shard: Shard? = nil, rows: [EvalRow] = []) {
    self.models = models; self.images = images; self.scale = scale; self.cropBorder = cropBorder
    self.shard = shard; self.rows = rows
  }

  /// The (model, image) index pairs in evaluation order: model by model, each over every image.
  public var pairs: [(model: Int, image: Int)] {
    models.indices.flatMap { m in images.indices.map { (model: m, image: $0) } }
  }

  /// Whether pair number `n` (in `pairs` order) belongs to `shard`: a round-robin slice, so each
  /// shard gets a similar mix of models.
  public static func belongs(_ n: Int, to shard: Shard?) -> Bool {
    guard let shard else { return true }
    return n % shard.count == shard.index - 1
  }

  /// Merges shards of one evaluation into the unsharded result (rows in evaluation order).
  /// - Throws: `EvalError.merge` when the shards are of different evaluations, or a pair is
  ///   missing or measured twice.
  public static func merge(_ parts: [(path: String, result: EvalResult)]) throws -> EvalResult {
    guard let first = parts.first else { throw EvalError.merge("nothing to merge") }
    var merged = first.result
    merged.shard = nil
    for (path, part) in parts.dropFirst() {
      guard part.models == first.result.models, part.images == first.result.images, part.scale == first.result.scale,
            part.cropBorder == first.result.cropBorder else {
        throw EvalError.merge("\(path) is not a shard of the same evaluation as \(first.path) (models, images, scale or crop border differ)")
      }
    }
    var byPair: [String: EvalRow] = [:]
    for (path, part) in parts {
      for row in part.rows {
        let key = row.model + "\u{0}" + row.image
        guard byPair.updateValue(row, forKey: key) == nil else {
          throw EvalError.merge("\(row.model) on \(row.image) appears twice (again in \(path))")
        }
      }
    }
    var rows: [EvalRow] = [], missing: [String] = []
    for (m, i) in first.result.pairs {
      let model = first.result.models[m].name, image = first.result.images[i]
      if let row = byPair.removeValue(forKey: model + "\u{0}" + image) { rows.append(row) } else { missing.append("\(model) on \(image)") }
    }
    if !missing.isEmpty {
      let counts = Set(parts.compactMap { $0.result.shard?.count })
      let have = Set(parts.compactMap { $0.result.shard?.index })
      let absent = counts.count == 1 ? (1...counts.first!).filter { !have.contains($0) } : []
      throw EvalError.merge("\(missing.count) of \(first.result.pairs.count) results missing (first: \(missing[0]))"
        + (absent.isEmpty ? "" : "; shards not given: \(absent.map(String.init).joined(separator: ", ")) of \(counts.first!)"))
    }
    if let extra = byPair.values.first { throw EvalError.merge("\(extra.model) on \(extra.image) is not part of the evaluation") }
    merged.rows = rows
    return merged
  }

  /// The JSON text (sorted keys; non-finite numbers as the strings "inf", "-inf", "nan").
  public func json() throws -> String {
    let encoder = JSONEncoder.lenient
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
  }

  /// Reads a result written by `json()`.
  public static func decode(_ bytes: [UInt8], path: String) throws -> EvalResult {
    do { return try JSONDecoder.lenient.decode(EvalResult.self, from: Data(bytes)) } catch {
      throw EvalError.merge("\(path) is not an srscope eval JSON (\(Self.reason(error)))")
    }
  }

  static func reason(_ error: Error) -> String {
    guard let e = error as? DecodingError else { return "\(error)" }
    switch e {
    case .keyNotFound(let k, _): return "missing key '\(k.stringValue)'"
    case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
      return (c.codingPath.map(\.stringValue) + [c.debugDescription]).joined(separator: ": ")
    @unknown default: return "\(e)"
    }
  }
}

/// Formats evaluation results as a text table, CSV, JSON, Markdown or LaTeX, with a per-model mean.
public enum EvalReport {
  public enum Format: String, CaseIterable, Sendable { case table, csv, json, markdown, latex }

  static let columns = ["model", "image", "psnr_y", "ssim_y", "lpips_alex", "niqe", "params", "seconds", "images"]

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

  /// The seconds cell: inference time, `cached` when the output came from the cache, `-` when no
  /// inference applies (results folders). A mean is over the rows where inference ran.
  static func secondsCell(_ rows: [EvalRow]) -> String {
    let timed = rows.compactMap(\.seconds)
    if !timed.isEmpty { return String(format: "%.2f", timed.reduce(0, +) / Double(timed.count)) }
    return rows.contains(where: \.cached) ? "cached" : "-"
  }

  /// Models in first-seen order.
  static func models(_ rows: [EvalRow]) -> [String] {
    var seen: [String] = []
    for r in rows where !seen.contains(r.model) { seen.append(r.model) }
    return seen
  }

  static func number(_ v: Double?, _ digits: Int) -> String {
    guard let v else { return "-" }
    return v.isInfinite ? "inf" : String(format: "%.\(digits)f", v)
  }

  static func cells(model: String, image: String, _ m: MetricValues, params: Int?, seconds: String, images: String) -> [String] {
    [model, image, number(m.psnr_y, 4), number(m.ssim_y, 4), number(m.lpips_alex, 4), number(m.niqe, 4),
     params.map(String.init) ?? "-", seconds, images]
  }

  /// Every row plus one `mean` row per model; the `images` column says over how many images.
  static func lines(_ rows: [EvalRow]) -> [[String]] {
    var out: [[String]] = rows.map {
      cells(model: $0.model, image: $0.image, $0.metrics, params: $0.parameters, seconds: secondsCell([$0]), images: "")
    }
    for model in models(rows) {
      let mine = rows.filter { $0.model == model }
      out.append(cells(model: model, image: "mean", mean(mine), params: mine.first?.parameters,
                       seconds: secondsCell(mine), images: "\(mine.count)"))
    }
    return out
  }

  /// The report of `result` in `format`.
  public static func render(_ result: EvalResult, format: Format) throws -> String {
    format == .json ? try result.json() : render(result.rows, format: format)
  }

  /// The report of `rows` in a text format. JSON needs the whole `EvalResult` (`render(_:format:)`);
  /// asked of rows alone, it gives the table.
  public static func render(_ rows: [EvalRow], format: Format) -> String {
    switch format {
    case .csv:
      return ([columns] + lines(rows)).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    case .markdown:
      let body = lines(rows).map { "| " + $0.joined(separator: " | ") + " |" }
      return (["| " + columns.joined(separator: " | ") + " |", "|" + String(repeating: " --- |", count: columns.count)] + body)
        .joined(separator: "\n") + "\n"
    case .table, .json:
      let all = [columns] + lines(rows)
      let widths = columns.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
      return all.map { row in
        row.enumerated().map { c, s in c < 2 ? s.padding(toLength: widths[c], withPad: " ", startingAt: 0)
          : String(repeating: " ", count: widths[c] - s.count) + s }.joined(separator: "  ")
          .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
      }.joined(separator: "\n") + "\n"
    case .latex:
      return latex(rows)
    }
  }

  /// A booktabs table of the per-model means, the best value of each metric column in bold
  /// (PSNR and SSIM: higher is better; LPIPS and NIQE: lower is better).
  static func latex(_ rows: [EvalRow]) -> String {
    let names = models(rows)
    let means = names.map { n in mean(rows.filter { $0.model == n }) }
    let counts = names.map { n in rows.filter { $0.model == n }.count }
    let metrics: [(title: String, get: (MetricValues) -> Double?, higher: Bool, digits: Int)] = [
      ("PSNR-Y (dB) $\\uparrow$", \.psnr_y, true, 2), ("SSIM-Y $\\uparrow$", \.ssim_y, true, 4),
      ("LPIPS-Alex $\\downarrow$", \.lpips_alex, false, 4), ("NIQE $\\downarrow$", \.niqe, false, 2),
    ]
    // Best by the printed (rounded) value, so equal-looking cells are bold together.
    let best: [String?] = metrics.map { m in
      let shown = means.compactMap { m.get($0).flatMap { $0.isFinite ? String(format: "%.\(m.digits)f", $0) : nil } }
      return shown.max { a, b in m.higher ? Double(a)! < Double(b)! : Double(a)! > Double(b)! }
    }
    var out = ["% srscope eval: means over \(Set(counts).sorted().map(String.init).joined(separator: "/")) images",
               "\\begin{tabular}{l" + String(repeating: "r", count: metrics.count + 1) + "}", "\\toprule",
               (["Model"] + metrics.map(\.title) + ["Params"]).joined(separator: " & ") + " \\\\", "\\midrule"]
    for (i, name) in names.enumerated() {
      var cells = [latexEscape(name)]
      for (k, m) in metrics.enumerated() {
        let text = m.get(means[i]).map { $0.isFinite ? String(format: "%.\(m.digits)f", $0) : ($0 > 0 ? "$\\infty$" : "--") } ?? "--"
        cells.append(text == best[k] ? "\\textbf{\(text)}" : text)
      }
      let params = rows.first { $0.model == name }?.parameters
      cells.append(params.map { String(format: "%.2fM", Double($0) / 1e6) } ?? "--")
      out.append(cells.joined(separator: " & ") + " \\\\")
    }
    out += ["\\bottomrule", "\\end{tabular}"]
    return out.joined(separator: "\n") + "\n"
  }

  /// Escapes LaTeX's special characters in a label.
  static func latexEscape(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "\\": out += "\\textbackslash{}"
      case "&", "%", "$", "#", "_", "{", "}": out += "\\" + String(c)
      case "~": out += "\\textasciitilde{}"
      case "^": out += "\\textasciicircum{}"
      default: out.append(c)
      }
    }
    return out
  }
}
