import Foundation
import SRImage

/// The models and images one command works on, merged from a manifest and command-line options
/// (`--model [NAME=]PATH`, `--hr`, `--lr`, `--images`). `eval`, `view` and `compare` all resolve
/// their inputs here, so a model has the same label in every command.
public struct Workload: Sendable, Equatable {
  /// One model to run: a checkpoint file, or a folder of SR images made by another tool.
  public struct Model: Sendable, Equatable {
    public var name: String
    public var path: String
    /// The run's `log.csv`, when the manifest names one.
    public var trainingLog: String?
    public init(name: String, path: String, trainingLog: String? = nil) {
      self.name = name; self.path = path; self.trainingLog = trainingLog
    }
    /// True when `path` is a folder of SR images (evaluated without inference).
    public var isResultsFolder: Bool { ModelSpec.isFolder(path) }
  }

  /// How command-line `--model` files combine with a manifest's models.
  public enum ExtraModels: Sendable {
    /// Listed after the manifest's models (`eval`).
    case append
    /// Used instead of the manifest's models when any are given (`view`, `compare`).
    case replace
  }

  public var models: [Model]
  /// Folder of HR images.
  public var hrFolder: String
  /// Folder of LR images with the same names, if given (else LR is made by MATLAB bicubic).
  public var lrFolder: String?
  /// The HR file names to use, in order.
  public var imageNames: [String]
  /// Files of the HR folder that are not used, with the reason (listed by the commands on stderr).
  public var skippedFiles: [ImageFolder.Skipped] = []
  /// The manifest's scale, if a manifest was used.
  public var scale: Int?
  /// The manifest's baseline label, if any (a model's label or `bicubic`).
  public var baseline: String?

  /// Full paths of the HR images, in order.
  public var imagePaths: [String] { imageNames.map { hrFolder + "/" + $0 } }

  /// The label of the MATLAB-bicubic baseline that every command adds.
  public static let bicubicLabel = "bicubic"

  /// Merges `manifest` (optional) with command-line models and folders; options win over the
  /// manifest's folders. Image names are the manifest's `files`, else every PNG/JPEG in the HR folder,
  /// narrowed by `images` (file names or `*`/`?` globs) when given.
  /// - Throws: `ManifestError` for a missing HR folder, clashing labels, or an unknown baseline or
  ///   comparison model; `EvalError.noImages` for an unreadable or empty folder.
  public static func resolve(
    manifest: Manifest?, manifestPath: String? = nil, models specs: [ModelSpec], extraModels: ExtraModels,
    hr: String?, lr: String?, images: [String] = []
  ) throws -> Workload {
    let listed = (manifest?.models ?? []).map { (name: $0.name, path: $0.path, log: $0.training_log) }
    let extra = specs.map { (name: $0.name, path: $0.path, log: String?.none) }
    let chosen: [(name: String?, path: String, log: String?)]
    switch extraModels {
    case .append: chosen = listed + extra
    case .replace: chosen = extra.isEmpty ? listed : extra
    }
    let source = manifestPath ?? "command line"
    let names = try labels(chosen.map { ($0.name, $0.path) }, source: source)
    let models = chosen.indices.map { Model(name: names[$0], path: chosen[$0].path, trainingLog: chosen[$0].log) }

    var baseline = manifest?.baseline
    if let b = baseline, b != bicubicLabel, !names.contains(b) {
      // A baseline that named a manifest model the command line replaced falls back to bicubic.
      guard extraModels == .replace && !extra.isEmpty else {
        throw ManifestError(path: source, reason: "baseline '\(b)' is not a model (have: \(([bicubicLabel] + names).joined(separator: ", ")))")
      }
      baseline = nil
    }
    if extra.isEmpty || extraModels == .append {
      for c in manifest?.comparisons ?? [] {
        if let bad = c.models.first(where: { !names.contains($0) && $0 != bicubicLabel }) {
          throw ManifestError(path: source, reason: "comparison '\(c.name)' names unknown model '\(bad)'")
        }
      }
    }

    guard let hrFolder = hr ?? manifest?.images.hr else {
      throw ManifestError(path: source, reason: "no HR folder: give --hr or a manifest")
    }
    var work = Workload(models: models, hrFolder: hrFolder, lrFolder: lr ?? manifest?.images.lr, imageNames: [],
                        scale: manifest?.scale, baseline: baseline)
    if hr == nil, let files = manifest?.images.files {
      work.imageNames = files
    } else {
      let listing = try ImageFolder.list(hrFolder)
      work.imageNames = listing.names
      work.skippedFiles = listing.skipped
    }
    if !images.isEmpty { work.imageNames = try ImageFolder.select(work.imageNames, patterns: images, folder: hrFolder) }
    return work
  }

  /// Labels for models given as (explicit name or nil, path). A model without a name is labelled
  /// by its file stem (a folder: its name), extended by as many parent folders as it takes to tell
  /// it from every other model (`runA/iter_9000`, `runB/iter_9000`).
  /// - Throws: `ManifestError` when two models end with the same label, naming both paths.
  public static func labels(_ models: [(name: String?, path: String)], source: String = "command line") throws -> [String] {
    let parts: [[String]] = models.map { m in
      var c = (m.path as NSString).standardizingPath.split(separator: "/").map(String.init)
      if let last = c.last, !ModelSpec.isFolder(m.path) { c[c.count - 1] = (last as NSString).deletingPathExtension }
      return c.isEmpty ? [m.path] : c
    }
    var depth = [Int](repeating: 1, count: models.count)
    func label(_ i: Int) -> String { models[i].name ?? parts[i].suffix(depth[i]).joined(separator: "/") }
    while true {
      var grew = false
      let current = models.indices.map(label)
      for i in models.indices where models[i].name == nil && depth[i] < parts[i].count {
        let clashes = models.indices.contains { $0 != i && current[$0] == current[i] }
        if clashes { depth[i] += 1; grew = true }
      }
      if !grew { break }
    }
    let final = models.indices.map(label)
    for i in models.indices {
      if final[i] == bicubicLabel {
        throw ManifestError(path: source, reason: "model \(models[i].path) is labelled '\(bicubicLabel)', the baseline's label; "
          + "give it another name (NAME=PATH)")
      }
      if let j = models.indices.first(where: { $0 > i && final[$0] == final[i] }) {
        throw ManifestError(path: source, reason: "two models are labelled '\(final[i])': \(models[i].path) and \(models[j].path); "
          + "name them (NAME=PATH)")
      }
      if final[i].isEmpty { throw ManifestError(path: source, reason: "model \(models[i].path) has an empty label") }
    }
    return final
  }
}

/// One `--model` argument: `PATH` or `NAME=PATH` (PATH a checkpoint, or a folder of SR images).
public struct ModelSpec: Sendable, Equatable {
  public var name: String?
  public var path: String

  public init(name: String?, path: String) { self.name = name; self.path = path }

  /// Parses `NAME=PATH`, or `PATH` when the whole argument names an existing file or has no `=`.
  /// - Throws: `ManifestError` for an empty name or path.
  public init(argument: String) throws {
    if let eq = argument.firstIndex(of: "="), !FileManager.default.fileExists(atPath: argument) {
      let name = String(argument[..<eq]), path = String(argument[argument.index(after: eq)...])
      guard !name.isEmpty, !path.isEmpty else {
        throw ManifestError(path: "command line", reason: "--model '\(argument)': expected NAME=PATH with both parts non-empty")
      }
      self.init(name: name, path: path)
    } else {
      guard !argument.isEmpty else { throw ManifestError(path: "command line", reason: "--model needs a path") }
      self.init(name: nil, path: argument)
    }
  }

  /// True when `path` is an existing folder.
  public static func isFolder(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
  }
}

/// The image files of a folder: PNG and JPEG by extension, everything else listed as skipped.
public enum ImageFolder {
  /// A file of the folder that is not used, and why.
  public struct Skipped: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var reason: String
    public var description: String { "\(name): \(reason)" }
  }

  /// The sorted image names of `folder` and the other entries with the reason each is skipped.
  /// - Throws: `EvalError.noImages` when the folder is missing or holds no image.
  public static func list(_ folder: String) throws -> (names: [String], skipped: [Skipped]) {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue,
          let all = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
      throw EvalError.noImages("\(folder) is not a readable folder (the demo photos come from Scripts/fetch-assets.sh)")
    }
    var names: [String] = [], skipped: [Skipped] = []
    for name in all.sorted() {
      if ModelSpec.isFolder(folder + "/" + name) {
        skipped.append(Skipped(name: name, reason: "a folder (folders are not searched)"))
      } else if ImageFile.hasImageExtension(name) {
        names.append(name)
      } else {
        skipped.append(Skipped(name: name, reason: "not a .png, .jpg or .jpeg file"))
      }
    }
    guard !names.isEmpty else { throw EvalError.noImages("no PNG or JPEG files in \(folder)") }
    return (names, skipped)
  }

  /// The names matching any of `patterns` (exact names, or globs with `*` and `?`; an argument may
  /// list several, comma-separated), in listing order.
  /// - Throws: `EvalError.noImages` naming a pattern that matches nothing.
  public static func select(_ names: [String], patterns given: [String], folder: String) throws -> [String] {
    let patterns = given.flatMap { $0.split(separator: ",").map(String.init) }  // a LIST: a,b,c
    for p in patterns where !names.contains(where: { glob(p, matches: $0) }) {
      throw EvalError.noImages("no image in \(folder) matches '\(p)'")
    }
    return names.filter { n in patterns.contains { glob($0, matches: n) } }
  }

  /// `fnmatch`-style matching of `*` and `?` (no character classes).
  public static func glob(_ pattern: String, matches name: String) -> Bool {
    let p = Array(pattern), s = Array(name)
    var pi = 0, si = 0, star = -1, mark = 0
    while si < s.count {
      if pi < p.count && (p[pi] == "?" || p[pi] == s[si]) { pi += 1; si += 1 }
      else if pi < p.count && p[pi] == "*" { star = pi; mark = si; pi += 1 }
      else if star >= 0 { pi = star + 1; mark += 1; si = mark }
      else { return false }
    }
    while pi < p.count && p[pi] == "*" { pi += 1 }
    return pi == p.count
  }
}
