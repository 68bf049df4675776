import SRFormats
import SRModels

/// Starts a generator from a trained checkpoint (`pretrained:` in a recipe): any file
/// `CheckpointReader` reads (the trainer's `iter_<N>.safetensors`, fp16 or fp32, or a BasicSR
/// `.pth`), whose tensors must be exactly the recipe network's: same names, same shapes, none
/// missing and none extra.
enum PretrainedWeights {
  /// Loads `path` into `net`.
  /// - Throws: `TrainError.recipe`, one line naming the file and the first mismatch.
  static func load(_ path: String, into net: TrainableNetwork) throws(TrainError) {
    let dict: StateDict
    do { dict = try CheckpointReader.read(contentsOf: path).dict } catch {
      throw .recipe("pretrained: \(error)")
    }
    let expected = Set(net.tensors.map(\.name))
    let architecture = net.metadata["architecture"] ?? "network"
    if let extra = dict.keys.sorted().first(where: { !expected.contains($0) }) {
      throw .recipe("pretrained \(path) is not the recipe's \(architecture): it has tensor \(extra), which the recipe's network does not")
    }
    do { try net.load(dict) } catch {
      guard case .checkpoint(let reason) = error else { throw error }
      throw .recipe("pretrained \(path) is not the recipe's \(architecture): \(reason)")
    }
    // Shapes alone do not show the residual scale (the trainer's RRDBNet metadata does).
    if let stored = dict.metadata["residual_scale"], let ours = net.metadata["residual_scale"], stored != ours {
      throw .recipe("pretrained \(path) has residual_scale \(stored), the recipe's network \(ours)")
    }
  }
}
