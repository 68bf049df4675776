import ArgumentParser
import Foundation
import SRPipeline
import SRViewer

extension GraphicsMode: ExpressibleByArgument {}

/// `--colors`: half-block colour depth.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
  case trueColor = "24bit"
  case palette256 = "256"
}

/// `srscope view`: the terminal viewer (the default command).
struct ViewCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "view",
    abstract: "Compare LR / SR / HR crops of several models side by side in the terminal (sixel or half-blocks).")

  @Option(help: "Manifest (default: Ablations/ablations.yml, or $SRSCOPE_MANIFEST).") var manifest: String?
  @OptionGroup var inputs: WorkloadOptions  // --model replaces the manifest's models
  @Option(help: "Scale when no manifest is used.") var scale: Int = 4
  @Option(help: "Graphics: auto, sixel or blocks.") var graphics: GraphicsMode = .auto
  @Option(help: "Half-block colours: 24bit or 256 (default: detected from COLORTERM, terminfo RGB/Tc, tmux).")
  var colors: ColorChoice?
  @Flag(help: "Show built-in synthetic images (no models or assets needed).") var demo = false
  @OptionGroup var threading: ThreadOptions
  @OptionGroup var precisionOption: PrecisionOption

  func run() throws {
    threading.apply()
    guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
      throw ValidationError("the viewer needs a terminal (stdin and stdout are not a tty); "
        + "use `srscope compare` or `srscope eval` in scripts")
    }
    let source: ViewerDataSource
    var baseline: String? = nil
    if demo {
      source = StaticDataSource.demo()
    } else {
      (source, baseline) = try makeSource()
    }
    let viewer = Viewer(dataSource: source, graphics: graphics)
    viewer.colorOverride = colors.map { $0 == .trueColor ? .trueColor : .palette256 }
    let exportArguments = exportInputs()
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    viewer.compareCommand = { CompareCommand.commandLine($0, inputs: exportArguments, executable: executable) }
    if let baseline { viewer.setBaseline(named: baseline) }
    try viewer.run()
    // The background worker may be inside an OpenBLAS call; OpenBLAS's exit handler would wait
    // for its threads (seen here: the process hung after `q`). The terminal is already restored,
    // and nothing else needs flushing, so leave without running exit handlers.
    fflush(nil)
    _exit(0)
  }

  /// The viewer's inputs as `compare` arguments, with absolute paths (an exported script may run
  /// from anywhere).
  func exportInputs() -> [String] {
    func absolute(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.path }
    var args: [String] = []
    let usesManifest = !inputs.standsAlone
    if usesManifest, let path = try? manifest ?? DefaultManifest.locate() { args += ["--manifest", absolute(path)] }
    if let hr = inputs.hr { args += ["--hr", absolute(hr)] }
    if let lr = inputs.lr { args += ["--lr", absolute(lr)] }
    for spec in (try? inputs.models.map(ModelSpec.init(argument:))) ?? [] {
      args += ["--model", spec.name.map { "\($0)=\(absolute(spec.path))" } ?? absolute(spec.path)]
    }
    if !usesManifest { args += ["--scale", "\(scale)"] }
    return args
  }

  func makeSource() throws -> (ManifestDataSource, String?) {
    // The manifest is read unless --model and --hr make it unnecessary.
    let path = inputs.standsAlone ? nil : try manifest ?? DefaultManifest.locate()
    let work = try inputs.resolve(manifestPath: path, extraModels: .replace)
    let source = ManifestDataSource(models: work.models.map { ($0.name, $0.path) }, imagePaths: work.imagePaths,
                                    lrFolder: work.lrFolder, scale: work.scale ?? scale,
                                    trainingLogs: work.models.map(\.trainingLog))
    source.precision = precisionOption.resolved(command: "view")
    source.start()
    return (source, work.baseline)
  }
}

/// Finds the default manifest: `$SRSCOPE_MANIFEST`, `./Ablations/ablations.yml`, or the one in the
/// source tree the executable was built from.
enum DefaultManifest {
  static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
    var candidates: [String] = []
    if let env = environment["SRSCOPE_MANIFEST"] { candidates.append(env) }
    candidates.append(FileManager.default.currentDirectoryPath + "/Ablations/ablations.yml")
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<5 {
      candidates.append(dir.appendingPathComponent("Ablations/ablations.yml").path)
      dir = dir.deletingLastPathComponent()
    }
    guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
      throw ValidationError("no manifest found (looked for Ablations/ablations.yml); pass --manifest")
    }
    return found
  }
}
