import ArgumentParser
import Foundation
import SRPipeline

/// `srscope eval`: every model on every image, with PSNR-Y, SSIM-Y, LPIPS, NIQE, parameters and time.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate models on HR images (LR by MATLAB bicubic) or paired HR/LR folders.")

  @Option(help: "Manifest (YAML) listing models and images.") var manifest: String?
  @Option(name: .customLong("model"), help: "A model file (repeatable).") var models: [String] = []
  @Option(help: "Folder of HR PNGs.") var hr: String?
  @Option(help: "Folder of LR PNGs with the same names as the HR ones (optional).") var lr: String?
  @Option(help: "Scale (default: the manifest's, else the first model's).") var scale: Int?
  @Option(help: "Pixels shaved from each border before measuring (default: the scale).") var cropBorder: Int?
  @Option(help: "Output format: table, csv, json, markdown.") var format: String = "table"
  @Flag(help: "Do not read or write the SR output cache.") var noCache = false
  @Flag(help: "Skip the bicubic baseline row.") var noBicubic = false
  @OptionGroup var threading: ThreadOptions

  func validate() throws {
    if manifest == nil && (models.isEmpty || hr == nil) {
      throw ValidationError("give --manifest, or --model (repeatable) and --hr")
    }
    if EvalReport.Format(rawValue: format) == nil { throw ValidationError("--format must be table, csv, json or markdown") }
  }

  func run() throws {
    threading.apply()
    let work = try Workload.resolve(manifest: try manifest.map { try Manifest.load(path: $0) }, manifestPath: manifest,
                                    modelPaths: models, extraModels: .append, hr: hr, lr: lr)
    var evalModels = try work.models.map { try EvalModel.load(path: $0.path, name: $0.name) }
    let s = scale ?? work.scale ?? evalModels.compactMap { if case .network(_, let l, _) = $0 { return l.network.scale } else { return nil } }.first ?? 4
    if !noBicubic { evalModels.insert(.bicubic, at: 0) }
    let names = work.imageNames
    let evaluator = Evaluator(metrics: MetricSet(selection: [.fidelity, .lpipsAlex, .niqe]),
                              cache: noCache ? nil : OutputCache(), cropBorder: cropBorder ?? s)
    for note in evaluator.metrics.unavailable { FileHandle.standardError.write(Data("warning: \(note)\n".utf8)) }
    let bar = ProgressBar("eval")
    var rows: [EvalRow] = []
    let total = Double(names.count * evalModels.count)
    for (i, name) in names.enumerated() {
      let image = try EvalImage.load(hrPath: work.hrFolder + "/" + name, lrPath: work.lrFolder.map { $0 + "/" + name }, scale: s)
      for (j, model) in evalModels.enumerated() {
        rows.append(try evaluator.evaluate(model, image))
        bar.update(Double(i * evalModels.count + j + 1) / total)
      }
    }
    bar.finish()
    print(EvalReport.render(rows, format: EvalReport.Format(rawValue: format)!), terminator: "")
  }
}
