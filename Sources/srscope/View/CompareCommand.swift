import ArgumentParser
import Foundation
import SRPipeline
import SRViewer

/// `srscope compare`: the viewer's montage of one crop, without a terminal.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Write a labelled PNG montage (LR, models, HR) of one crop, as the viewer's export does.")

  @Option(help: "Manifest (default: Ablations/ablations.yml, unless --model and --hr are given).") var manifest: String?
  @OptionGroup var inputs: WorkloadOptions  // --model replaces the manifest's models
  @Option(help: "Scale when no manifest is used.") var scale: Int = 4
  @Option(help: "Image: index in the image list or file name.") var image: String
  @Option(help: "Crop in HR pixels: x,y,w,h.") var crop: String
  @Option(help: "Comma-separated labels of the models to show (default: all).") var models: String?
  @Option(help: "Baseline model name (default: bicubic).") var baseline: String = "bicubic"
  @Option(help: "Error map: off, sr-hr, a-base, lpips.") var errorMap: String = "off"
  @Option(help: "Colours: light (white background, for papers) or dark.") var theme: String = "light"
  @Option(help: ArgumentHelp("Pixels of each picture's longer side; the crop is enlarged by the largest whole factor that fits (nearest neighbour), or reduced by the smallest whole factor.",
                             valueName: "pixels"))
  var panelSize: Int = ComparisonMontage.defaultPanelSize
  @Option(help: "Output PNG.") var output: String
  @OptionGroup var threading: ThreadOptions

  static let errorModes: [String: ErrorMapMode] = ["off": .off, "sr-hr": .versusHR, "a-base": .versusBaseline, "lpips": .lpips]

  func validate() throws {
    guard Self.errorModes[errorMap] != nil else { throw ValidationError("--error-map must be off, sr-hr, a-base or lpips") }
    guard parsedCrop != nil else { throw ValidationError("--crop must be x,y,w,h with w,h >= 1") }
    guard MontageTheme(rawValue: theme) != nil else { throw ValidationError("--theme must be light or dark") }
    let sizes = ComparisonMontage.panelSizes
    guard sizes.contains(panelSize) else {
      throw ValidationError("--panel-size must be \(sizes.lowerBound)...\(sizes.upperBound) pixels")
    }
  }

  var parsedCrop: CropRect? {
    let v = crop.split(separator: ",").compactMap { Int($0) }
    guard v.count == 4, v[0] >= 0, v[1] >= 0, v[2] > 0, v[3] > 0 else { return nil }
    return CropRect(x: v[0], y: v[1], width: v[2], height: v[3])
  }

  func run() throws {
    threading.apply()
    let path = inputs.standsAlone ? manifest : try manifest ?? DefaultManifest.locate()
    let work = try inputs.resolve(manifestPath: path, extraModels: .replace)
    let paths = work.imagePaths, names = work.imageNames
    guard let index = Int(image).flatMap({ paths.indices.contains($0) ? $0 : nil }) ?? names.firstIndex(of: image) else {
      throw ValidationError("no image '\(image)' in \(work.hrFolder) (have: \(names.joined(separator: ", ")))")
    }
    let source = ManifestDataSource(models: work.models.map { ($0.name, $0.path) }, imagePaths: paths,
                                    lrFolder: work.lrFolder, scale: work.scale ?? scale)
    let wanted = models.map { $0.split(separator: ",").map(String.init) } ?? Array(source.modelNames.dropFirst())
    let ids = try wanted.map { n in
      guard let i = source.modelNames.firstIndex(of: n) else {
        throw ValidationError("unknown model '\(n)' (have: \(source.modelNames.joined(separator: ", ")))")
      }
      return i
    }
    guard let base = source.modelNames.firstIndex(of: baseline) else { throw ValidationError("unknown baseline '\(baseline)'") }
    source.prepare(image: index, models: ids + [base])
    guard let set = source.imageSet(index) else { throw EvalError.badPair("cannot read \(names[index])") }
    let c = parsedCrop!
    guard c.x + c.width <= set.hr.width, c.y + c.height <= set.hr.height else {
      throw ValidationError("crop \(c) is outside the \(set.hr.width)x\(set.hr.height) image")
    }
    let request = ComparisonMontage.Request(image: index, models: ids, baseline: base, crop: c,
                                            errorMode: Self.errorModes[errorMap]!, theme: MontageTheme(rawValue: theme)!,
                                            panelSize: panelSize)
    try ComparisonMontage.write(request, data: source, to: output)
    print("wrote \(output)")
  }

  /// The command line equivalent to a viewer export: `executable compare`, the viewer's inputs
  /// (`inputs`: its --manifest/--hr/--lr/--model/--scale arguments, paths absolute), then the
  /// export's image, crop, models, baseline, error map and output; every argument shell-quoted.
  static func commandLine(_ r: CompareRequest, inputs: [String], executable: String) -> String {
    let mode = errorModes.first { $0.value == r.errorMode }?.key ?? "off"
    var args = [executable, "compare"] + inputs
    args += ["--image", r.imageName, "--crop", "\(r.crop)", "--models", r.models.joined(separator: ","), "--baseline", r.baseline]
    if mode != "off" { args += ["--error-map", mode] }
    args += ["--output", r.outputPath]
    return args.map(shellQuoted).joined(separator: " ")
  }

  /// `s` as one POSIX shell word.
  static func shellQuoted(_ s: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")
    if !s.isEmpty && s.allSatisfy(safe.contains) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
