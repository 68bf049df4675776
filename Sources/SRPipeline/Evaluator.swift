import Foundation
import SRImage
import SRModels
import SRTensor

/// One (model, image) result of an evaluation.
public struct EvalRow: Sendable, Equatable, Codable {
  public var model: String
  public var image: String
  public var metrics: MetricValues
  public var parameters: Int?
  /// Inference seconds for this image; nil when none ran (cached output, or a results folder).
  public var seconds: Double?
  /// The output came from the on-disk cache.
  public var cached: Bool

  public init(model: String, image: String, metrics: MetricValues, parameters: Int?, seconds: Double?, cached: Bool) {
    self.model = model; self.image = image; self.metrics = metrics
    self.parameters = parameters; self.seconds = seconds; self.cached = cached
  }
}

/// A network loaded on first use (the viewer needs none when every output is cached).
public final class LazyModel: @unchecked Sendable {
  public let path: String
  private let lock = NSLock()
  private var result: Result<LoadedModel, Error>?

  public init(path: String) { self.path = path }

  /// A model that is already loaded (or built, as an interpolated network).
  public init(path: String, loaded: LoadedModel) {
    self.path = path
    result = .success(loaded)
  }

  /// The loaded model (loaded once; a load error is thrown every time).
  public func get() throws -> LoadedModel {
    try lock.withLock {
      if result == nil { result = Result { try ModelLoader.load(path: path) } }
      return try result!.get()
    }
  }
}

/// A model to evaluate: a network, SR images from another tool, or the MATLAB-bicubic baseline.
public enum EvalModel: Sendable {
  case bicubic
  case network(name: String, model: LazyModel, key: String)
  case results(name: String, folder: ResultsFolder)

  public var name: String {
    switch self {
    case .bicubic: return Workload.bicubicLabel
    case .network(let name, _, _), .results(let name, _): return name
    }
  }

  /// The network's scale (nil for bicubic, results folders and a network that cannot be loaded).
  public var scale: Int? {
    if case .network(_, let lazy, _) = self { return (try? lazy.get())?.network.scale }
    return nil
  }

  /// The network's parameter count (nil for bicubic, results folders and unloadable networks).
  public var parameters: Int? {
    if case .network(_, let lazy, _) = self { return (try? lazy.get())?.network.parameterCount }
    return nil
  }

  /// Loads a model file (now, or on first use when `eager` is false) and its cache key, or matches
  /// a folder of SR images to `imageNames`.
  /// - Parameter name: the label (default: the file's stem).
  public static func load(path: String, name: String? = nil, imageNames: [String] = [], eager: Bool = true) throws -> EvalModel {
    let label = name ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    if ModelSpec.isFolder(path) {
      return .results(name: label, folder: try ResultsFolder.match(folder: path, hrNames: imageNames, model: label))
    }
    let lazy = LazyModel(path: path)
    if eager { _ = try lazy.get() }
    return .network(name: label, model: lazy, key: try OutputCache.modelKey(path: path))
  }

  /// What makes this model's output for `image`, for the metric cache key.
  func outputIdentity(_ image: EvalImage) -> String {
    switch self {
    case .bicubic: return "bicubic"
    case .network(_, _, let key): return "network:" + key
    case .results(_, let folder):
      let file = folder.folder + "/" + (folder.files[image.name] ?? "")
      return "results:" + file + "|" + OutputCache.fileStamp(file)
    }
  }
}

/// SR images made by another tool (EDSR, RCAN, SwinIR... as their authors release them), matched
/// to the HR files by name: the same stem, or the HR stem + `_` + any suffix (`baboon_x4_SR.png`).
public struct ResultsFolder: Sendable, Equatable {
  public var folder: String
  /// HR file name -> SR file name in `folder`.
  public var files: [String: String]

  /// Matches every HR name to one SR file (each SR file goes to the longest HR stem it starts with).
  /// - Throws: `EvalError.badPair` listing the HR files without an SR image, or with several.
  public static func match(folder: String, hrNames: [String], model: String) throws -> ResultsFolder {
    let available: [String]
    do { available = try ImageFolder.list(folder).names } catch {
      throw EvalError.badPair("model '\(model)': \(folder) is a folder without PNG or JPEG images "
        + "(a model is a checkpoint file, or a folder of SR images named like the HR files)")
    }
    let stems = Dictionary(hrNames.map { (($0 as NSString).deletingPathExtension, $0) }, uniquingKeysWith: { a, _ in a })
    var candidates: [String: [String]] = [:]
    for file in available {
      let stem = (file as NSString).deletingPathExtension
      let owner = stems.keys.filter { stem == $0 || stem.hasPrefix($0 + "_") }.max { $0.count < $1.count }
      if let owner, let hr = stems[owner] { candidates[hr, default: []].append(file) }
    }
    let missing = hrNames.filter { candidates[$0] == nil }
    if !missing.isEmpty {
      throw EvalError.badPair("model '\(model)': \(folder) has no SR image for \(missing.count) of \(hrNames.count) HR files: "
        + missing.joined(separator: ", "))
    }
    var files: [String: String] = [:]
    for hr in hrNames {
      let found = candidates[hr]!
      let exact = found.filter { ($0 as NSString).deletingPathExtension == (hr as NSString).deletingPathExtension }
      guard let only = exact.count == 1 ? exact.first : found.count == 1 ? found.first : nil else {
        throw EvalError.badPair("model '\(model)': several SR images in \(folder) match \(hr): \(found.joined(separator: ", "))")
      }
      files[hr] = only
    }
    return ResultsFolder(folder: folder, files: files)
  }
}

extension ResultsFolder {
  /// The SR image for `image`, checked against the mod-cropped HR size (an SR image of the
  /// un-cropped HR size is mod-cropped the same way).
  public func output(for image: EvalImage, model: String) throws -> Tensor {
    guard let file = files[image.name] else {
      throw EvalError.badPair("model '\(model)': no SR image for \(image.name) in \(folder)")
    }
    let path = folder + "/" + file
    let sr = try ImageFile.read(contentsOf: path).rgb
    let h = image.hr.height, w = image.hr.width
    guard (h..<h + image.scale).contains(sr.height), (w..<w + image.scale).contains(sr.width) else {
      throw EvalError.badPair("model '\(model)': \(path) is \(sr.width)x\(sr.height) but HR \(image.name) is \(w)x\(h) "
        + "(after mod-crop to x\(image.scale))")
    }
    return sr.height == h && sr.width == w ? sr : Degrade.modcrop(sr, multiple: image.scale)
  }
}

/// Runs every model on every image (outputs cached on disk) and measures the results.
public struct Evaluator: Sendable {
  public var metrics: MetricSet
  public var cache: OutputCache?
  public var cropBorder: Int
  public var tileSize: Int?
  /// How networks' convolutions multiply; bf16 outputs are cached apart from fp32 ones.
  public var precision: ConvPrecision = .fp32

  public init(metrics: MetricSet, cache: OutputCache?, cropBorder: Int, tileSize: Int? = nil,
              precision: ConvPrecision = .fp32) {
    self.metrics = metrics; self.cache = cache; self.cropBorder = cropBorder; self.tileSize = tileSize
    self.precision = precision
  }

  /// Appended to a network's cache keys when it does not run fp32.
  private var precisionSuffix: String { precision == .fp32 ? "" : "|precision=" + precision.rawValue }

  /// The SR output of `model` for `image` (clamped to [0, 1]), its inference seconds (nil when
  /// none ran) and whether it came from the cache.
  public func output(_ model: EvalModel, _ image: EvalImage) throws -> (Tensor, Double?, Bool) {
    switch model {
    case .bicubic:
      let start = Date()
      let t = Resize.bicubic(image.lr, outHeight: image.hr.height, outWidth: image.hr.width)
      return (t.clamped01(), Date().timeIntervalSince(start), false)
    case .results(let name, let folder):
      return (try folder.output(for: image, model: name), nil, false)
    case .network(let name, let lazy, let modelKey):
      let key = modelKey + precisionSuffix
      let imageKey = OutputCache.imageKey(image.lr)
      if let hit = cache?.load(model: key, image: imageKey), hit.shape == image.hr.shape { return (hit, nil, true) }
      let loaded = try lazy.get()
      try Self.checkScale(loaded, name: name, image)
      let start = Date()
      var upscaler = Upscaler(network: loaded.network, tileSize: tileSize)
      upscaler.precision = Upscaler.effectivePrecision(precision, for: loaded.network).precision
      try upscaler.checkFits(height: image.lr.height, width: image.lr.width)
      let out = upscaler.run(image.lr)
      let seconds = Date().timeIntervalSince(start)
      try cache?.store(out, model: key, image: imageKey)
      return (out.clamped01(), seconds, false)
    }
  }

  /// Throws unless the network's scale is the data's.
  static func checkScale(_ loaded: LoadedModel, name: String, _ image: EvalImage) throws {
    guard loaded.network.scale == image.scale else {
      throw EvalError.badPair("model '\(name)' is x\(loaded.network.scale) but the data is x\(image.scale)")
    }
  }

  /// The whole-image metrics of `sr` against the image's HR (from the metric cache beside the
  /// output cache, when there is one).
  public func measure(_ sr: Tensor, _ image: EvalImage, model: EvalModel, lpipsMap: Bool = false) throws -> MetricValues {
    try metrics.measure(sr: sr, hr: image.hr, cropBorder: cropBorder, lpipsMap: lpipsMap, cache: metricCache(model, image))
  }

  /// The cached whole-image metrics of `model` on `image`, without computing (or loading) anything.
  public func cachedMetrics(_ model: EvalModel, _ image: EvalImage, lpipsMap: Bool = false) -> MetricValues? {
    guard let (cache, key) = metricCache(model, image) else { return nil }
    return cache.load(key: key, needMap: lpipsMap)
  }

  func metricCache(_ model: EvalModel, _ image: EvalImage) -> (cache: MetricCache, key: String)? {
    let suffix: String
    if case .network = model { suffix = precisionSuffix } else { suffix = "" }
    return cache.map { (MetricCache(beside: $0), MetricCache.key(output: model.outputIdentity(image) + suffix, image: image.identity,
                                                        cropBorder: cropBorder, selection: metrics.cacheSelection)) }
  }

  /// Evaluates one pair; with cached metrics no output is read and no network loaded.
  public func evaluate(_ model: EvalModel, _ image: EvalImage) throws -> EvalRow {
    if case .network = model, let hit = cachedMetrics(model, image) {
      return EvalRow(model: model.name, image: image.name, metrics: hit, parameters: model.parameters, seconds: nil, cached: true)
    }
    let (sr, seconds, cached) = try output(model, image)
    let values = try measure(sr, image, model: model)
    return EvalRow(model: model.name, image: image.name, metrics: values, parameters: model.parameters, seconds: seconds,
                   cached: cached)
  }
}
