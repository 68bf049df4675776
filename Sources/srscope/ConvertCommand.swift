import ArgumentParser
import Foundation
import SRFormats
import SRModels
import SRTensor

/// `srscope convert`: any readable checkpoint to safetensors with canonical keys.
struct ConvertCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Convert any readable checkpoint to safetensors (BasicSR key names, metadata included).")

  @Argument(help: "Checkpoint to read.") var model: String
  @Option(help: "Output .safetensors.") var output: String
  @Flag(help: "Store weights as float16.") var fp16 = false

  func run() throws {
    let loaded = try ModelLoader.load(path: model)
    var dict = loaded.network.stateDict()
    dict.metadata = loaded.metadata.merging([
      "architecture": loaded.network.architecture.name,
      "hyperparameters": loaded.network.architecture.hyperparameters.map { "\($0.0)=\($0.1)" }.joined(separator: ","),
      "source_format": loaded.format.rawValue,
      "source_key_layout": loaded.keyLayout.rawValue,
    ]) { _, new in new }
    let bytes = try Safetensors.write(dict, as: fp16 ? .f16 : .f32)
    try AtomicFile.write(bytes, to: output)
  }
}
