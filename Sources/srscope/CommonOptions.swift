import ArgumentParser
import Foundation
import SRModels
import SRPipeline
import SRTensor

/// `--threads`, shared by every command that computes.
struct ThreadOptions: ParsableArguments {
  @Option(help: "Worker threads for SRScope and OpenBLAS (default: all cores).")
  var threads: Int?

  func validate() throws {
    if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
  }

  /// Applies the setting process-wide.
  func apply() { Parallel.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount) }
}

/// Parses sizes such as `512M`, `2G`, `1500000000`.
struct ByteSize: ExpressibleByArgument, CustomStringConvertible {
  let bytes: Int
  /// As written (`4G`), which is what `--help` shows for a default.
  let text: String
  var description: String { text }
  var defaultValueDescription: String { text }
  init?(argument: String) {
    text = argument
    let s = argument.uppercased().replacingOccurrences(of: "B", with: "")
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
    if let last = s.last, let unit = units[last], let v = Double(s.dropLast()), v > 0, v * Double(unit) < 0x1p62 {
      bytes = Int(v * Double(unit))
    } else if let v = Int(s), v > 0 {
      bytes = v
    } else {
      return nil
    }
  }
}

/// A failure outside argument validation: printed as one "Error: ..." line, without the usage text.
struct CommandError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// `--model`, `--hr`, `--lr`, `--images`: the inputs `eval`, `view` and `compare` share, parsed once
/// and resolved with a manifest through the one `Workload`.
struct WorkloadOptions: ParsableArguments {
  @Option(name: .customLong("model"),
          help: "A model: PATH or NAME=PATH, a checkpoint or a folder of SR images named like the HR files (repeatable).")
  var models: [String] = []
  @Option(help: "Folder of HR images, PNG or JPEG (overrides the manifest's).") var hr: String?
  @Option(help: "Folder of LR images named as the HR ones (default: made by MATLAB bicubic).") var lr: String?
  @Option(name: .customLong("images"), help: "Only these HR files: names, globs such as 'img_0*.png', or a comma-separated list (repeatable).")
  var images: [String] = []

  /// Models and images are given without a manifest.
  var standsAlone: Bool { !models.isEmpty && hr != nil }

  /// The workload of `manifestPath` (if any) merged with these options.
  func resolve(manifestPath: String?, extraModels: Workload.ExtraModels) throws -> Workload {
    try Workload.resolve(manifest: try manifestPath.map { try Manifest.load(path: $0) }, manifestPath: manifestPath,
                         models: try models.map(ModelSpec.init(argument:)), extraModels: extraModels,
                         hr: hr, lr: lr, images: images)
  }
}

extension ConvPrecision: ExpressibleByArgument {}

/// `--precision fp32|bf16` for the commands that run networks (upscale, eval, view).
struct PrecisionOption: ParsableArguments {
  @Option(help: "Convolution products: fp32, or bf16 (fp32 accumulation; RRDBNet, SRResNet and MSRResNet, on CPUs with AMX-BF16 or AVX512-BF16; elsewhere a note and fp32).")
  var precision: ConvPrecision = .fp32

  /// The precision this CPU runs, after printing the one-line note when it is not the one asked for.
  func resolved(command: String) -> ConvPrecision {
    let choice = ConvPrecision.available(precision)
    if let note = choice.note { FileHandle.standardError.write(Data("\(command): \(note)\n".utf8)) }
    return choice.precision
  }
}
