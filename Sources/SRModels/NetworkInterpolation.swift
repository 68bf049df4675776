import SRFormats
import SRTensor

/// ESRGAN's network interpolation (Wang et al. 2018, `net_interp.py`): every tensor of two
/// checkpoints of one architecture blended as `(1 - alpha) * a + alpha * b`, BatchNorm running
/// statistics included, so one can walk from a PSNR-oriented network to a GAN-trained one.
///
/// Each element is computed in Double and rounded once to Float; alpha 0 and 1 return the parents'
/// values bit for bit (the formula itself would turn -0 into +0, and 0 * inf into NaN). Integer
/// tensors are taken from `a`: the readers convert every dtype to Float and keep no dtype, so they
/// are recognised by name, as the loader does: BatchNorm's `num_batches_tracked` counter.
public enum NetworkInterpolation {
  /// One parent: a name for messages (the path as given, or a model's label), its tensors under
  /// canonical keys with their metadata, and the architecture detected from them.
  public struct Parent: Sendable {
    public var name: String
    public var weights: StateDict
    public var architecture: ArchitectureDescription

    public init(name: String, weights: StateDict, architecture: ArchitectureDescription) {
      self.name = name; self.weights = weights; self.architecture = architecture
    }

    /// A loaded model as a parent: the network's own weights (canonical keys) and the file's metadata.
    public init(name: String, loaded: LoadedModel) {
      var weights = loaded.network.stateDict()
      weights.metadata = loaded.metadata.merging(weights.metadata) { _, fromNetwork in fromNetwork }
      self.init(name: name, weights: weights, architecture: loaded.network.architecture)
    }
  }

  /// Metadata keys this module writes; parents' keys with this prefix are not carried over.
  public static let metadataPrefix = "interpolation."

  /// Throws unless `alpha` is in [0, 1] (ESRGAN interpolates between the two networks, never beyond).
  public static func checkAlpha(_ alpha: Double) throws(InterpolationError) {
    guard alpha >= 0, alpha <= 1 else { throw .alphaOutOfRange(alpha) }
  }

  /// Throws unless `a` and `b` are the same network: the same family, the same keys, the same
  /// shapes, then the same hyperparameters (those the shapes do not show: residual scaling, a
  /// post-resize). The error names the first difference found in that order, in `a`'s key order.
  public static func check(_ a: Parent, _ b: Parent) throws(InterpolationError) {
    if a.architecture.name != b.architecture.name {
      throw .differentArchitectures(a: a.name, b: b.name, detail: "\(a.name) is \(a.architecture.name), \(b.name) is \(b.architecture.name)")
    }
    if let key = a.weights.keys.first(where: { b.weights.tensors[$0] == nil }) {
      throw .missingKey(key: key, in: a.name, notIn: b.name)
    }
    if let key = b.weights.keys.first(where: { a.weights.tensors[$0] == nil }) {
      throw .missingKey(key: key, in: b.name, notIn: a.name)
    }
    for key in a.weights.keys {
      let sa = a.weights.tensors[key]?.shape ?? [], sb = b.weights.tensors[key]?.shape ?? []
      if sa != sb { throw .shapeMismatch(key: key, a: a.name, aShape: sa, b: b.name, bShape: sb) }
    }
    if a.architecture != b.architecture {
      let ha = Dictionary(a.architecture.hyperparameters, uniquingKeysWith: { x, _ in x })
      let hb = Dictionary(b.architecture.hyperparameters, uniquingKeysWith: { x, _ in x })
      let names = a.architecture.hyperparameters.map(\.0) + b.architecture.hyperparameters.map(\.0)
      let name = names.first { ha[$0] != hb[$0] } ?? "hyperparameters"
      // A hyperparameter at its default is left out of the description; the file may still say it.
      func value(_ h: [String: String], _ p: Parent) -> String { h[name] ?? p.weights.metadata[name] ?? "unset (default)" }
      throw .differentArchitectures(a: a.name, b: b.name,
                                    detail: "\(name) is \(value(ha, a)) in \(a.name), \(value(hb, b)) in \(b.name)")
    }
  }

  /// The blended state dict, in `a`'s key order. Metadata: what both parents agree on (so the
  /// architecture metadata, e.g. `residual_scale`, `post_resize`, comes along), without the parents'
  /// own `interpolation.*` keys, plus `interpolation.alpha`, `interpolation.a` and `interpolation.b`
  /// (the parents' names).
  /// - Throws: `InterpolationError` for an alpha outside [0, 1] or parents that differ (`check`).
  public static func interpolate(_ a: Parent, _ b: Parent, alpha: Double) throws(InterpolationError) -> StateDict {
    try checkAlpha(alpha)
    try check(a, b)
    var out = StateDict(metadata: mergedMetadata(a, b, alpha: alpha))
    for key in a.weights.keys {
      guard let ta = a.weights.tensors[key], let tb = b.weights.tensors[key] else { continue }
      out[key] = isInteger(key) ? ta : blend(ta, tb, alpha: alpha)
    }
    return out
  }

  /// The network the blended weights describe.
  /// - Throws: `InterpolationError` as `interpolate`, or the loader's error if the blend does not
  ///   build (it is built by the same registry as any checkpoint, and checked to be `a`'s architecture).
  public static func network(_ a: Parent, _ b: Parent, alpha: Double) throws -> any SuperResolutionNetwork {
    let net = try ArchitectureRegistry.build(try interpolate(a, b, alpha: alpha))
    guard net.architecture == a.architecture else {
      throw InterpolationError.differentArchitectures(a: a.name, b: "the blend", detail:
        "the blend builds as \(net.architecture), not \(a.architecture)")
    }
    return net
  }

  /// `(1 - alpha) * a + alpha * b` per element in Double, rounded once; the parent itself at 0 and 1.
  static func blend(_ a: Tensor, _ b: Tensor, alpha: Double) -> Tensor {
    if alpha == 0 { return a }
    if alpha == 1 { return b }
    let data = zip(a.data, b.data).map { Float((1 - alpha) * Double($0) + alpha * Double($1)) }
    return Tensor(shape: a.shape, data: data)
  }

  /// Integer tensors of the supported architectures: BatchNorm's batch counter.
  static func isInteger(_ key: String) -> Bool { key.hasSuffix("num_batches_tracked") }

  static func mergedMetadata(_ a: Parent, _ b: Parent, alpha: Double) -> [String: String] {
    var out = a.weights.metadata.filter { !$0.key.hasPrefix(metadataPrefix) && b.weights.metadata[$0.key] == $0.value }
    out[metadataPrefix + "alpha"] = "\(alpha)"
    out[metadataPrefix + "a"] = a.name
    out[metadataPrefix + "b"] = b.name
    return out
  }
}

/// Why two checkpoints cannot be interpolated; one line naming the first difference.
public enum InterpolationError: Error, Equatable, CustomStringConvertible {
  case alphaOutOfRange(Double)
  case differentArchitectures(a: String, b: String, detail: String)
  case missingKey(key: String, in: String, notIn: String)
  case shapeMismatch(key: String, a: String, aShape: [Int], b: String, bShape: [Int])

  public var description: String {
    switch self {
    case .alphaOutOfRange(let alpha):
      return "alpha \(alpha) is outside [0, 1] (0 gives the first network, 1 the second)"
    case .differentArchitectures(_, _, let detail):
      return "different architectures: \(detail)"
    case .missingKey(let key, let present, let absent):
      return "different keys: '\(key)' is in \(present) but not in \(absent)"
    case .shapeMismatch(let key, let a, let sa, let b, let sb):
      return "shape mismatch for '\(key)': \(ModelLoadError.shape(sa)) in \(a), \(ModelLoadError.shape(sb)) in \(b)"
    }
  }
}
