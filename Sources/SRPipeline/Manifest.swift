import Foundation
import SRConfig
import SRTensor

/// A set of models and images to compare: what the viewer opens and what `srscope eval` reads.
///
/// Paths may use `${VAR}` (e.g. `${SRSCOPE_ASSETS}`, which defaults to `~/.cache/srscope`) and
/// are relative to the manifest's folder. Unknown keys are errors (`KeySchema`).
public struct Manifest: Codable, Sendable, Equatable {
  /// One model entry: a checkpoint file, or a folder of SR images made by another tool.
  public struct Model: Codable, Sendable, Equatable {
    /// The label; default: the file stem, made unique by its parent folders (`Workload.labels`).
    public var name: String?
    public var path: String
    public var group: String?
    public var training_log: String?
    public init(name: String? = nil, path: String, group: String? = nil, training_log: String? = nil) {
      self.name = name; self.path = path; self.group = group; self.training_log = training_log
    }
  }
  /// Where the HR images are; LR is made from them with MATLAB bicubic unless `lr` is given.
  public struct Images: Codable, Sendable, Equatable {
    public var hr: String
    public var lr: String?
    public var files: [String]?
    public init(hr: String, lr: String? = nil, files: [String]? = nil) { self.hr = hr; self.lr = lr; self.files = files }
  }
  /// A named group of models that differ in one factor.
  public struct Comparison: Codable, Sendable, Equatable {
    public var name: String
    public var question: String?
    public var models: [String]
  }

  public var title: String?
  public var scale: Int
  public var images: Images
  public var models: [Model]
  /// A model's label, or `bicubic` (the MATLAB-bicubic baseline every command adds).
  public var baseline: String?
  public var comparisons: [Comparison]?

  public init(title: String? = nil, scale: Int, images: Images, models: [Model], baseline: String? = nil,
              comparisons: [Comparison]? = nil) {
    self.title = title; self.scale = scale; self.images = images; self.models = models
    self.baseline = baseline; self.comparisons = comparisons
  }

  /// Every key a manifest may hold.
  public static let schema: KeySchema = .mapping([
    "title": .value, "scale": .value, "baseline": .value,
    "images": .mapping(["hr": .value, "lr": .value, "files": .value]),
    "models": .list(.mapping(["name": .value, "path": .value, "group": .value, "training_log": .value])),
    "comparisons": .list(.mapping(["name": .value, "question": .value, "models": .value])),
  ])

  /// The largest scale a manifest may ask for.
  public static let maxScale = 16

  /// Reads a YAML (or JSON) manifest and resolves its paths.
  /// - Throws: `ConfigError` with the file's path, `line:column` where known, and the reason.
  public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Manifest {
    let text: String
    do { text = try InputFile.readText(path) } catch {
      throw ManifestError(path: path, reason: error.reason)
    }
    return try parse(text: text, path: path, environment: environment)
  }

  /// Decodes manifest text as `load` does after reading the file; `path` names it in errors and
  /// its folder is the base of relative paths.
  /// - Throws: `ConfigError` with `path`, `line:column` where known, and the reason.
  public static func parse(text: String, path: String,
                           environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Manifest {
    var m = try StrictYAML.decode(Manifest.self, from: text, path: path, schema: schema)
    guard (1...maxScale).contains(m.scale) else {
      throw ManifestError(path: path, reason: "scale must be 1 to \(maxScale), not \(m.scale)")
    }
    let base = (path as NSString).deletingLastPathComponent
    func resolved(_ raw: String, _ field: String) throws -> String {
      guard !raw.isEmpty else { throw ManifestError(path: path, reason: "\(field) is empty") }
      return ConfigPath.resolve(raw, base: base, environment: environment)
    }
    m.images.hr = try resolved(m.images.hr, "images.hr")
    m.images.lr = try m.images.lr.map { try resolved($0, "images.lr") }
    for i in m.models.indices {
      m.models[i].path = try resolved(m.models[i].path, "models.\(i).path")
      m.models[i].training_log = try m.models[i].training_log.map { try resolved($0, "models.\(i).training_log") }
    }
    return m
  }

}

/// A manifest (or the command line standing in for one) could not be used.
public typealias ManifestError = ConfigError
