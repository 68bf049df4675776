import Foundation
import SRFormats
import SRModels
import SRTensor

/// Checkpoint files of a run folder: `iter_<N>.safetensors` (weights, loadable by
/// `ModelLoader.load(path:)`) and `state_<N>.safetensors` (fp32 weights, Adam moments, RNG state).
public enum Checkpoint {
  /// Path of the weights checkpoint for iteration `n`.
  public static func weightsPath(_ folder: String, _ n: Int) -> String { folder + "/iter_\(n).safetensors" }
  /// Path of the optimizer-state file for iteration `n`.
  public static func statePath(_ folder: String, _ n: Int) -> String { folder + "/state_\(n).safetensors" }

  /// The largest N with a `state_<N>.safetensors` in `folder`, or nil.
  public static func latestState(in folder: String) -> Int? {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.compactMap { n -> Int? in
      guard n.hasPrefix("state_"), n.hasSuffix(".safetensors") else { return nil }
      return Int(n.dropFirst(6).dropLast(12))
    }.max()
  }

  /// Writes both files for iteration `n` atomically. The weights' metadata holds the architecture,
  /// the iteration, the seed, `init` or `pretrained` (the path as written) and the whole recipe as
  /// JSON (`recipe`); `companions` (the GAN's
  /// discriminator) go into the state file beside the generator.
  static func save(network: TrainableNetwork, adam: Adam, rng: TrainRNG, recipe: Recipe, iteration n: Int,
                   elapsed: Double, folder: String, companions: [CompanionState] = []) throws(TrainError) {
    var weights = network.stateDict()
    weights.metadata["iteration"] = "\(n)"
    weights.metadata["seed"] = "\(recipe.seed)"
    if let p = recipe.pretrained { weights.metadata["pretrained"] = p } else {
      weights.metadata["init"] = (recipe.`init` ?? .pytorch).rawValue
    }
    weights.metadata["format"] = "pt"
    var state = StateDict()
    for p in network.tensors { state["param." + p.name] = Tensor(shape: p.shape, data: p.value) }
    for (k, t) in adam.stateTensors(network.parameters) { state["adam." + k] = t }
    state.metadata = ["iteration": "\(n)", "adam_step": "\(adam.step)", "elapsed": "\(elapsed)",
                      "rng": rng.state.map(String.init).joined(separator: ",")]
    for c in companions { c.write(into: &state) }
    do {
      weights.metadata["recipe"] = try recipe.json()
      try AtomicFile.write(try Safetensors.write(weights, as: recipe.fp16 == true ? .f16 : .f32),
                           to: weightsPath(folder, n))
      try AtomicFile.write(try Safetensors.write(state, as: .f32), to: statePath(folder, n))
    } catch {
      throw .checkpoint("cannot write iteration \(n): \(error)")
    }
  }

  /// Restores weights, Adam and RNG from `state_<n>`; returns (rng, elapsed seconds).
  static func restore(network: TrainableNetwork, adam: Adam, folder: String, iteration n: Int,
                      companions: [CompanionState] = []) throws(TrainError) -> (TrainRNG, Double) {
    let path = statePath(folder, n)
    let dict: StateDict
    do { dict = try Safetensors.read(try InputFile.read(path)) } catch { throw .checkpoint("\(path): \(error)") }
    try network.load(section(dict, "param."))
    let moments = section(dict, "adam.")
    guard let step = Int(dict.metadata["adam_step"] ?? ""),
          let rng = TrainRNG(state: (dict.metadata["rng"] ?? "").split(separator: ",").compactMap { UInt64($0) })
    else { throw .checkpoint("\(path): missing adam_step or rng metadata") }
    // One Adam step per iteration: any other count is a damaged or foreign state file.
    guard step == n else { throw .checkpoint("\(path): adam_step \(step) is not the checkpoint's iteration \(n)") }
    try adam.restore(moments, parameters: network.parameters, step: step)
    for c in companions { try c.read(from: dict, path: path, iteration: n) }
    return (rng, Double(dict.metadata["elapsed"] ?? "") ?? 0)
  }

  /// The part of `dict` whose keys start with `prefix`, the prefix removed.
  static func section(_ dict: StateDict, _ prefix: String) -> StateDict {
    var out = StateDict()
    for k in dict.keys where k.hasPrefix(prefix) { out[String(k.dropFirst(prefix.count))] = dict.tensors[k] }
    return out
  }
}

/// A network trained beside the generator (the GAN's discriminator): its tensors (BN buffers
/// included) and Adam moments travel in the state file under `prefix` (`<prefix>param.<name>`,
/// `<prefix>adam.<name>.exp_avg`, metadata `<prefix>adam_step`), so a resumed run continues it
/// bit for bit.
struct CompanionState {
  let prefix: String
  let tensors: [Parameter]
  let adam: Adam

  func write(into state: inout StateDict) {
    for p in tensors { state[prefix + "param." + p.name] = Tensor(shape: p.shape, data: p.value) }
    for (k, t) in adam.stateTensors(tensors.filter { !$0.isBuffer }) { state[prefix + "adam." + k] = t }
    state.metadata[prefix + "adam_step"] = "\(adam.step)"
  }

  func read(from dict: StateDict, path: String, iteration n: Int) throws(TrainError) {
    do { try tensors.load(Checkpoint.section(dict, prefix + "param.")) } catch {
      guard case .checkpoint(let reason) = error else { throw error }
      throw .checkpoint("\(path): \(prefix)param: \(reason)")
    }
    guard let step = Int(dict.metadata[prefix + "adam_step"] ?? "") else {
      throw .checkpoint("\(path): missing \(prefix)adam_step metadata")
    }
    guard step == n else { throw .checkpoint("\(path): \(prefix)adam_step \(step) is not the checkpoint's iteration \(n)") }
    try adam.restore(Checkpoint.section(dict, prefix + "adam."), parameters: tensors.filter { !$0.isBuffer }, step: step)
  }
}
