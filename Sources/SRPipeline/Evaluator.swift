import Foundation
import SRImage
import SRModels
import SRTensor

/// One (model, image) result of an evaluation.
public struct EvalRow: Sendable {
  public var model: String
  public var image: String
  public var metrics: MetricValues
  public var parameters: Int?
  /// Inference seconds (0 when the output came from the cache).
  public var seconds: Double
  public var cached: Bool

  public init(model: String, image: String, metrics: MetricValues, parameters: Int?, seconds: Double, cached: Bool) {
    self.model = model; self.image = image; self.metrics = metrics
    self.parameters = parameters; self.seconds = seconds; self.cached = cached
  }
}

/// A model to evaluate: a loaded network, or the MATLAB-bicubic baseline.
public enum EvalModel: Sendable {
  case bicubic
  case network(name: String, model: LoadedModel, key: String)

  public var name: String {
    switch self {
    case .bicubic: return "bicubic"
    case .network(let name, _, _): return name
    }
  }

  /// Loads a model file and its cache key; `name` defaults to the file's stem.
  public static func load(path: String, name: String? = nil) throws -> EvalModel {
    let loaded = try ModelLoader.load(path: path)
    let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    return .network(name: name ?? stem, model: loaded, key: try OutputCache.modelKey(path: path))
  }
}

/// Runs every model on every image (outputs cached on disk) and measures the results.
public struct Evaluator: Sendable {
  public var metrics: MetricSet
  public var cache: OutputCache?
  public var cropBorder: Int
  public var tileSize: Int?

  public init(metrics: MetricSet, cache: OutputCache?, cropBorder: Int, tileSize: Int? = nil) {
    self.metrics = metrics; self.cache = cache; self.cropBorder = cropBorder; self.tileSize = tileSize
  }

  /// The SR output of `model` for `image`, from the cache when present; clamped to [0, 1].
  public func output(_ model: EvalModel, _ image: EvalImage) throws -> (Tensor, Double, Bool) {
    switch model {
    case .bicubic:
      let t = Resize.bicubic(image.lr, outHeight: image.hr.height, outWidth: image.hr.width)
      return (t.clamped01(), 0, false)
    case .network(_, let loaded, let key):
      guard loaded.network.scale == image.scale else {
        throw EvalError.badPair("model is x\(loaded.network.scale) but the images are prepared for x\(image.scale)")
      }
      let imageKey = OutputCache.imageKey(image.lr)
      if let hit = cache?.load(model: key, image: imageKey), hit.shape == image.hr.shape { return (hit, 0, true) }
      let start = Date()
      let out = Upscaler(network: loaded.network, tileSize: tileSize).run(image.lr)
      let seconds = Date().timeIntervalSince(start)
      try cache?.store(out, model: key, image: imageKey)
      return (out.clamped01(), seconds, false)
    }
  }

  /// Evaluates one pair.
  public func evaluate(_ model: EvalModel, _ image: EvalImage) throws -> EvalRow {
    let (sr, seconds, cached) = try output(model, image)
    let values = try metrics.measure(sr: sr, hr: image.hr, cropBorder: cropBorder)
    var params: Int? = nil
    if case .network(_, let loaded, _) = model { params = loaded.network.parameterCount }
    return EvalRow(model: model.name, image: image.name, metrics: values, parameters: params, seconds: seconds, cached: cached)
  }
}
