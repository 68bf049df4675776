import ArgumentParser
import SRModels

/// `srscope inspect MODEL`: what a checkpoint holds.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show a checkpoint's format, architecture, hyperparameters, parameter count and key layout.")

  @Argument(help: "Checkpoint: .safetensors, .pth (zip or legacy) or ncnn .param (with its .bin beside it).")
  var model: String

  func run() throws {
    let loaded = try ModelLoader.load(path: model)
    let net = loaded.network
    print("file:         \(model)")
    print("format:       \(loaded.format.rawValue)")
    print("key layout:   \(loaded.keyLayout.rawValue)")
    print("architecture: \(net.architecture.name)")
    for (k, v) in net.architecture.hyperparameters { print("  \(k): \(v)") }
    if let resized = net as? PostResizedNetwork {
      print("scale:        x\(net.scale) (the x\(resized.base.scale) network's output, then a \(resized.resize) resize)")
    } else {
      print("scale:        x\(net.scale)")
    }
    print("parameters:   \(net.parameterCount) (\(String(format: "%.2f", Double(net.parameterCount) / 1e6)) M)")
    for (k, v) in loaded.metadata.sorted(by: { $0.key < $1.key }) { print("metadata:     \(k) = \(v)") }
  }
}
