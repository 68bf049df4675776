import SRModels
import SRTensor

extension EvalModel {
  /// The network interpolated between two network models, `(1 - alpha) * a + alpha * b` for every
  /// weight (`NetworkInterpolation`), as a model of its own: named `name`, keyed in the output
  /// cache by both parents' keys and alpha (`OutputCache.interpolationKey`).
  /// - Throws: `EvalError.badPair` when either is not a network (bicubic, a folder of SR images),
  ///   the parents' load errors, `InterpolationError` when they are not one architecture.
  public static func interpolated(_ a: EvalModel, _ b: EvalModel, alpha: Double, name: String) throws -> EvalModel {
    guard case .network(let nameA, let lazyA, let keyA) = a, case .network(let nameB, let lazyB, let keyB) = b else {
      let other = [a, b].first { if case .network = $0 { false } else { true } }!
      throw EvalError.badPair(notANetwork(other.name, bicubic: other.isBicubic))
    }
    let loadedA = try lazyA.get(), loadedB = try lazyB.get()
    let parentA = NetworkInterpolation.Parent(name: nameA, loaded: loadedA)
    let parentB = NetworkInterpolation.Parent(name: nameB, loaded: loadedB)
    let network = try NetworkInterpolation.network(parentA, parentB, alpha: alpha)
    let loaded = LoadedModel(network: network, format: loadedA.format, keyLayout: loadedA.keyLayout, path: name,
                             metadata: [NetworkInterpolation.metadataPrefix + "alpha": "\(alpha)"])
    return .network(name: name, model: LazyModel(path: name, loaded: loaded),
                    key: OutputCache.interpolationKey(a: keyA, b: keyB, alpha: alpha))
  }

  var isBicubic: Bool { if case .bicubic = self { true } else { false } }

  /// Why the bicubic baseline or a folder of SR images called `name` cannot be interpolated.
  public static func notANetwork(_ name: String, bicubic: Bool) -> String {
    "\(name) is not a network (" + (bicubic ? "the bicubic baseline" : "a folder of SR images") + "), so it has no weights to interpolate"
  }
}

extension OutputCache {
  /// The model key of the network interpolated between the models keyed `a` and `b` at `alpha`
  /// (their keys already hash the engine version and their files).
  public static func interpolationKey(a: String, b: String, alpha: Double) -> String {
    String(SHA256.hex(Array("interpolation|\(a)|\(b)|\(alpha)".utf8)).prefix(24))
  }
}

extension Evaluator {
  /// The output of a network model under the HR rectangle `x, y, width, height` only, for a first
  /// look before the whole image: the LR pixels below it (rounded out to whole LR pixels) run with
  /// the upscaler's context around them (`Upscaler.run(_:rows:columns:)`). Returns the output and
  /// the HR rectangle it covers. Not cached (the whole image is, by `output`).
  public func regionOutput(_ model: EvalModel, _ image: EvalImage, x: Int, y: Int, width: Int, height: Int) throws
    -> (output: Tensor, x: Int, y: Int, width: Int, height: Int) {
    guard case .network(let name, let lazy, _) = model else { throw EvalError.badPair("\(model.name) is not a network") }
    let loaded = try lazy.get()
    try Self.checkScale(loaded, name: name, image)
    let s = image.scale
    let rows = max(0, y / s)..<min(image.lr.height, (y + height + s - 1) / s)
    let columns = max(0, x / s)..<min(image.lr.width, (x + width + s - 1) / s)
    let out = Upscaler(network: loaded.network, tileSize: tileSize).run(image.lr, rows: rows, columns: columns).clamped01()
    return (out, columns.lowerBound * s, rows.lowerBound * s, columns.count * s, rows.count * s)
  }
}
