import ArgumentParser
import Foundation
import SRPipeline
import SRTensor

/// `srscope eval`: every model on every image, with PSNR-Y, SSIM-Y, LPIPS, NIQE, parameters and time.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate models on HR images (LR by MATLAB bicubic) or paired HR/LR folders.",
    discussion: """
      Models are checkpoints (safetensors, .pth, ncnn .param) or folders of SR images made by other
      tools, named like the HR files (baboon.png, or baboon_x4_SR.png: HR stem + '_' + any suffix).
      Label them with NAME=PATH; unnamed models are labelled by file stem, extended by parent
      folders until unique (runA/iter_9000). With only --hr, the bicubic baseline is evaluated.

      Many machines: run `--shard K/N --output shardK.json` for K = 1..N (each writes JSON), then
      `srscope eval --merge shard*.json --format table` prints the table of the unsharded run.
      """)

  @Option(help: "Manifest (YAML) listing models and images.") var manifest: String?
  @OptionGroup var inputs: WorkloadOptions
  @Option(help: "Scale (default: the manifest's, else the models').") var scale: Int?
  @Option(help: "Pixels shaved from each border before measuring (default: the scale).") var cropBorder: Int?
  @Option(help: "Output format: table, csv, json, markdown, latex (default: table; json with --shard).") var format: String?
  @Option(help: "Write the report to this file (atomically) instead of standard output.") var output: String?
  @Option(help: "Evaluate only the K-th of N slices of the (model, image) pairs, e.g. 2/3; writes JSON for --merge.")
  var shard: String?
  @Option(parsing: .upToNextOption, help: "Merge the JSON files of --shard runs into one report (no evaluation).")
  var merge: [String] = []
  @Flag(help: "Do not read or write the SR output cache.") var noCache = false
  @Flag(help: "Skip the bicubic baseline row.") var noBicubic = false
  @OptionGroup var threading: ThreadOptions
  @OptionGroup var precisionOption: PrecisionOption

  static let maxScale = 16
  static let maxCropBorder = 1 << 16

  func validate() throws {
    if let format, EvalReport.Format(rawValue: format) == nil {
      throw ValidationError("--format must be table, csv, json, markdown or latex")
    }
    if !merge.isEmpty {
      if manifest != nil || !inputs.models.isEmpty || inputs.hr != nil || shard != nil {
        throw ValidationError("--merge takes only shard JSON files (and --format, --output)")
      }
      return
    }
    if manifest == nil && inputs.hr == nil { throw ValidationError("give --manifest, or --hr (and --model, repeatable)") }
    if let s = scale, !(1...Self.maxScale).contains(s) { throw ValidationError("--scale must be 1 to \(Self.maxScale)") }
    if let c = cropBorder, !(0...Self.maxCropBorder).contains(c) {
      throw ValidationError("--crop-border must be 0 to \(Self.maxCropBorder)")
    }
    if shard != nil {
      guard parsedShard != nil else { throw ValidationError("--shard must be K/N with 1 <= K <= N <= 100000, e.g. 2/3") }
      if let format, format != "json" { throw ValidationError("--shard writes JSON; give --format to the --merge run") }
    }
  }

  var parsedShard: EvalResult.Shard? {
    guard let shard else { return nil }
    let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 100_000, (1...n).contains(k) else { return nil }
    return EvalResult.Shard(index: k, count: n)
  }

  func run() throws {
    let result = merge.isEmpty ? try evaluate() : try mergeShards()
    let chosen = EvalReport.Format(rawValue: format ?? (shard == nil ? "table" : "json"))!
    let text = try EvalReport.render(result, format: chosen)
    if let output {
      try AtomicFile.write(Array(text.utf8), to: output)
      note("wrote \(output)")
    } else {
      print(text, terminator: "")
    }
  }

  func mergeShards() throws -> EvalResult {
    try EvalResult.merge(merge.map { path in (path, try EvalResult.decode(try InputFile.read(path, maxBytes: 1 << 30), path: path)) })
  }

  func evaluate() throws -> EvalResult {
    threading.apply()
    let work = try inputs.resolve(manifestPath: manifest, extraModels: .append)
    for skipped in work.skippedFiles { note("eval: skipped \(work.hrFolder)/\(skipped)") }
    let loaded = try work.models.map { try EvalModel.load(path: $0.path, name: $0.name, imageNames: work.imageNames) }
    let s = try dataScale(work: work, loaded: loaded)
    let evalModels = (noBicubic ? [] : [EvalModel.bicubic]) + loaded
    guard !evalModels.isEmpty else { throw ValidationError("nothing to evaluate: --no-bicubic and no models") }
    let paths = (noBicubic ? [] : [Workload.bicubicLabel]) + work.models.map(\.path)
    var result = EvalResult(
      models: zip(evalModels, paths).map { EvalResult.ModelInfo(name: $0.name, path: $1, parameters: $0.parameters) },
      images: work.imageNames, scale: s, cropBorder: cropBorder ?? s, shard: parsedShard)
    let evaluator = Evaluator(metrics: MetricSet(selection: [.fidelity, .lpipsAlex, .niqe]),
                              cache: noCache ? nil : OutputCache(), cropBorder: result.cropBorder,
                              precision: precisionOption.resolved(command: "eval"))
    for unavailable in evaluator.metrics.unavailable { note("warning: \(unavailable)") }
    let mine = result.pairs.enumerated().filter { EvalResult.belongs($0.offset, to: result.shard) }.map(\.element)
    let progress = EvalProgress(total: mine.count, imagesPerModel: mine.reduce(into: [Int: Int]()) { $0[$1.model, default: 0] += 1 })
    var images = EvalImageCache(work: work, scale: s)
    for (m, i) in mine {
      progress.starting(model: evalModels[m].name, image: work.imageNames[i])
      let row = try evaluator.evaluate(evalModels[m], try images.image(i))
      result.rows.append(row)
      progress.finished(row, modelIndex: m)
    }
    progress.finish()
    return result
  }

  /// The scale of the data: `--scale`, the manifest's, else the networks' (which must agree);
  /// every network must have it.
  func dataScale(work: Workload, loaded: [EvalModel]) throws -> Int {
    let networks = zip(work.models, loaded).compactMap { m, e in e.scale.map { (model: m, scale: $0) } }
    guard let (s, source) = scale.map({ ($0, "--scale") }) ?? work.scale.map({ ($0, "the manifest") }) else {
      guard let first = networks.first else { return 4 }  // only the baseline or results folders: x4 unless told
      if let other = networks.first(where: { $0.scale != first.scale }) {
        throw CommandError("models disagree on the scale: '\(first.model.name)' (\(first.model.path)) is x\(first.scale), "
          + "'\(other.model.name)' (\(other.model.path)) is x\(other.scale); give --scale and models of that scale")
      }
      return first.scale
    }
    if let bad = networks.first(where: { $0.scale != s }) {
      throw CommandError("model '\(bad.model.name)' (\(bad.model.path)) is x\(bad.scale) but the data is x\(s) (scale from \(source))")
    }
    return s
  }
}

/// One line on stderr.
func note(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

/// The evaluation images, loaded once and kept while they fit in memory (1 GiB of pixels),
/// since the models run one after another over every image.
struct EvalImageCache {
  let work: Workload
  let scale: Int
  private var kept: [Int: EvalImage] = [:]
  private var keptBytes = 0
  static let budget = 1 << 30

  init(work: Workload, scale: Int) { self.work = work; self.scale = scale }

  mutating func image(_ i: Int) throws -> EvalImage {
    if let hit = kept[i] { return hit }
    let name = work.imageNames[i]
    let image = try EvalImage.load(hrPath: work.hrFolder + "/" + name, lrPath: work.lrFolder.map { $0 + "/" + name }, scale: scale)
    let bytes = (image.hr.count + image.lr.count) * MemoryLayout<Float>.size
    if keptBytes + bytes <= Self.budget {
      kept[i] = image
      keptBytes += bytes
    }
    return image
  }
}

/// Eval's progress on stderr: a bar with ETA on a terminal, else one line per finished model.
final class EvalProgress {
  private let bar = ProgressBar("eval")
  private let total: Int
  private let imagesPerModel: [Int: Int]
  private var done = 0
  private var current: (model: Int, rows: [EvalRow], start: Date)?
  private let start = Date()

  init(total: Int, imagesPerModel: [Int: Int]) { self.total = total; self.imagesPerModel = imagesPerModel }

  func starting(model: String, image: String) {
    bar.update(Double(done) / Double(max(total, 1)), suffix: "\(done + 1)/\(total) \(model) on \(image)")
  }

  func finished(_ row: EvalRow, modelIndex: Int) {
    done += 1
    if current?.model != modelIndex { current = (modelIndex, [], Date()) }
    current!.rows.append(row)
    if current!.rows.count == imagesPerModel[modelIndex], !bar.enabled {
      let rows = current!.rows
      let cached = rows.filter(\.cached).count
      let psnr = EvalReport.mean(rows).psnr_y.map { String(format: ", mean PSNR-Y %.2f dB", $0) } ?? ""
      let seconds = String(format: "%.1f", Date().timeIntervalSince(current!.start))
      note("eval: \(row.model): \(rows.count) images in \(seconds) s" + (cached > 0 ? " (\(cached) cached)" : "")
        + "\(psnr) (\(done)/\(total) pairs done)")
    }
    bar.update(Double(done) / Double(max(total, 1)), suffix: "\(done)/\(total)")
  }

  func finish() {
    bar.finish()
    if !bar.enabled { note("eval: \(total) pairs in " + String(format: "%.1f", Date().timeIntervalSince(start)) + " s") }
  }
}
