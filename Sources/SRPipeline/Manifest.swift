import Foundation
import Yams

/// A set of models and images to compare: what the viewer opens and what `srscope eval` reads.
///
/// Paths may use `${VAR}` (e.g. `${SRSCOPE_ASSETS}`, which defaults to `~/.cache/srscope`) and
/// are relative to the manifest's folder.
public struct Manifest: Codable, Sendable, Equatable {
  /// One model entry.
  public struct Model: Codable, Sendable, Equatable {
    public var name: String
    public var path: String
    public var group: String?
    public var training_log: String?
    public init(name: String, path: String, group: String? = nil, training_log: String? = nil) {
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
  public var baseline: String?
  public var comparisons: [Comparison]?

  public init(title: String? = nil, scale: Int, images: Images, models: [Model], baseline: String? = nil,
              comparisons: [Comparison]? = nil) {
    self.title = title; self.scale = scale; self.images = images; self.models = models
    self.baseline = baseline; self.comparisons = comparisons
  }

  /// Reads a YAML (or JSON) manifest and resolves its paths.
  /// - Throws: `ManifestError` with the file name and the reason.
  public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Manifest {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
      throw ManifestError(path: path, reason: "cannot read file")
    }
    var m: Manifest
    do { m = try YAMLDecoder().decode(Manifest.self, from: text) } catch {
      throw ManifestError(path: path, reason: "invalid manifest: \(error)")
    }
    let base = (path as NSString).deletingLastPathComponent
    m.images.hr = resolve(m.images.hr, base: base, environment: environment)
    m.images.lr = m.images.lr.map { resolve($0, base: base, environment: environment) }
    for i in m.models.indices {
      m.models[i].path = resolve(m.models[i].path, base: base, environment: environment)
      m.models[i].training_log = m.models[i].training_log.map { resolve($0, base: base, environment: environment) }
    }
    let names = Set(m.models.map(\.name))
    if names.count != m.models.count { throw ManifestError(path: path, reason: "duplicate model names") }
    if let b = m.baseline, !names.contains(b) { throw ManifestError(path: path, reason: "baseline '\(b)' is not a model") }
    for c in m.comparisons ?? [] {
      if let bad = c.models.first(where: { !names.contains($0) }) {
        throw ManifestError(path: path, reason: "comparison '\(c.name)' names unknown model '\(bad)'")
      }
    }
    return m
  }

  /// Expands `${VAR}` and `~`, and makes relative paths relative to `base`.
  public static func resolve(_ raw: String, base: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    var s = raw
    var env = environment
    if env["SRSCOPE_ASSETS"] == nil { env["SRSCOPE_ASSETS"] = NSHomeDirectory() + "/.cache/srscope" }
    while let r = s.range(of: "${"), let end = s[r.upperBound...].firstIndex(of: "}") {
      let name = String(s[r.upperBound..<end])
      s.replaceSubrange(r.lowerBound...end, with: env[name] ?? "")
    }
    if s.hasPrefix("~/") { s = NSHomeDirectory() + s.dropFirst(1) }
    if !s.hasPrefix("/") && !base.isEmpty { s = base + "/" + s }
    return s
  }

  /// The HR image files, sorted (the `files` subset if given, else every PNG in the folder).

}

/// A manifest could not be used.
public struct ManifestError: Error, CustomStringConvertible, Equatable {
  public var path: String
  public var reason: String
  public init(path: String, reason: String) { self.path = path; self.reason = reason }
  public var description: String { "\((path as NSString).lastPathComponent): \(reason)" }
}

/// Lists the PNG files of a folder, with a one-line error when it cannot.
public enum PNGFolder {
  /// The sorted names of the `.png` files in `folder`.
  /// - Throws: `EvalError.noImages` when the folder is missing or holds no PNG.
  public static func names(in folder: String) throws -> [String] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue,
          let all = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
      throw EvalError.noImages("\(folder) is not a readable folder (the demo photos come from Scripts/fetch-assets.sh)")
    }
    let names = all.filter { $0.lowercased().hasSuffix(".png") }.sorted()
    guard !names.isEmpty else { throw EvalError.noImages("no PNG files in \(folder)") }
    return names
  }
}
