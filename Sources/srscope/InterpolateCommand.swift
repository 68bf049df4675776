import ArgumentParser
import Foundation
import SRFormats
import SRModels
import SRPipeline
import SRTensor

/// `srscope interpolate A B --alpha X --output C.safetensors`: ESRGAN's network interpolation.
struct InterpolateCommand: ParsableCommand, RunsWithoutOpenBLAS {
  static let configuration = CommandConfiguration(
    commandName: "interpolate",
    abstract: "Blend two checkpoints of one architecture: (1-alpha)*A + alpha*B for every tensor (ESRGAN network interpolation).")

  @Argument(help: "Checkpoint A (alpha 0): .safetensors, .pth (zip or legacy) or ncnn .param.") var a: String
  @Argument(help: "Checkpoint B (alpha 1), of the same architecture as A.") var b: String
  @Option(help: "Weight of B, in [0, 1].") var alpha: Double
  @Option(help: "Output .safetensors (written atomically; nothing is written on an error).") var output: String
  @Flag(help: "Store weights as float16 (default: float32, which keeps the blend's precision).") var fp16 = false

  func run() throws {
    do {
      try NetworkInterpolation.checkAlpha(alpha)
      let (modelA, weightsA) = try ModelLoader.loadWithStateDict(path: a)
      let (modelB, weightsB) = try ModelLoader.loadWithStateDict(path: b)
      let parentA = NetworkInterpolation.Parent(name: a, weights: weightsA, architecture: modelA.network.architecture)
      let parentB = NetworkInterpolation.Parent(name: b, weights: weightsB, architecture: modelB.network.architecture)
      var dict = try NetworkInterpolation.interpolate(parentA, parentB, alpha: alpha)
      for (name, path) in [("a", a), ("b", b)] {
        for (i, file) in OutputCache.modelFiles(path: path).enumerated() {
          dict.metadata[NetworkInterpolation.metadataPrefix + name + (i == 0 ? "_sha256" : "_bin_sha256")] =
            try SHA256.hex(contentsOf: file)
        }
      }
      // The file must load back as the parents' network (built by the same registry as any checkpoint).
      let net = try ArchitectureRegistry.build(dict)
      guard net.architecture == modelA.network.architecture else {
        throw CommandError("the blend loads as \(net.architecture), not \(modelA.network.architecture)")
      }
      try AtomicFile.write(try Safetensors.write(dict, as: fp16 ? .f16 : .f32), to: output)
      note("interpolate: \(output): (1-\(alpha))*A + \(alpha)*B, \(dict.count) tensors, \(net.architecture)")
    } catch {
      throw CommandError("interpolate: \(error)")
    }
  }
}
