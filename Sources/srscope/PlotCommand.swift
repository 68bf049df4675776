import ArgumentParser
import Foundation
import SRPipeline
import SRViewer

/// `srscope plot`: validation PSNR-Y against iteration for every run with a training log.
struct PlotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Draw validation PSNR-Y against iteration for training logs (log.csv) into a PNG.")

  @Option(help: "Manifest whose models name a training_log (default: Ablations/ablations.yml).") var manifest: String?
  @Argument(help: "log.csv files (instead of a manifest); the series is named after the folder.") var logs: [String] = []
  @Option(help: "Output PNG.") var output: String

  func run() throws {
    // A series is named after the run folder holding its log.
    func runName(_ log: String) -> String { ((log as NSString).deletingLastPathComponent as NSString).lastPathComponent }
    var named: [(String, String)] = logs.map { (runName($0), $0) }
    if named.isEmpty {
      let m = try Manifest.load(path: try manifest ?? DefaultManifest.locate())
      var seen = Set<String>()
      for model in m.models {
        guard let log = model.training_log, seen.insert(log).inserted else { continue }
        named.append((runName(log), log))
      }
    }
    guard !named.isEmpty else { throw ValidationError("no training logs: pass log.csv files or a manifest with training_log entries") }
    let series = try named.map { name, path in
      guard let curve = ValidationCurve.load(path: path) else {
        throw CommandError("\(path): not a readable training log with validation rows (iteration, val_psnr_y)")
      }
      return LineChart.Series(name: name, points: curve.points.map { (x: $0.iteration, y: $0.psnrY) })
    }
    let chart = LineChart.render(series, title: "VALIDATION PSNR-Y (DB)", xLabel: "ITERATION", yLabel: "PSNR-Y")
    try Montage.writePNG(chart, to: output)
    print("wrote \(output)")
  }
}
