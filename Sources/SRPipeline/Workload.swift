import Foundation

/// The models and images one command works on, merged from a manifest and command-line options
/// (`--model`, `--hr`, `--lr`). `eval`, `view` and `compare` all resolve their inputs here.
public struct Workload: Sendable, Equatable {
  /// One model to run.
  public struct Model: Sendable, Equatable {
    public var name: String
    public var path: String
    /// The run's `log.csv`, when the manifest names one.
    public var trainingLog: String?
  }

  /// How command-line `--model` files combine with a manifest's models.
  public enum ExtraModels: Sendable {
    /// Listed after the manifest's models (`eval`).
    case append
    /// Used instead of the manifest's models when any are given (`view`).
    case replace
  }

  public var models: [Model]
  /// Folder of HR images.
  public var hrFolder: String
  /// Folder of LR images with the same names, if given (else LR is made by MATLAB bicubic).
  public var lrFolder: String?
  /// The HR file names to use, in order.
  public var imageNames: [String]
  /// The manifest's scale, if a manifest was used.
  public var scale: Int?
  /// The manifest's baseline model name, if any.
  public var baseline: String?

  /// Full paths of the HR images, in order.
  public var imagePaths: [String] { imageNames.map { hrFolder + "/" + $0 } }

  /// The display name of a model given by path: its file name without extension.
  public static func modelName(path: String) -> String {
    ((path as NSString).lastPathComponent as NSString).deletingPathExtension
  }

  /// Merges `manifest` (optional) with command-line models and folders; options win over the
  /// manifest's folders. Image names are the manifest's `files`, else every PNG in the HR folder.
  /// - Throws: `ManifestError` when there is no HR folder; `PNGFolder` errors for an unreadable one.
  public static func resolve(
    manifest: Manifest?, manifestPath: String? = nil, modelPaths: [String], extraModels: ExtraModels,
    hr: String?, lr: String?
  ) throws -> Workload {
    let extra = modelPaths.map { Model(name: modelName(path: $0), path: $0, trainingLog: nil) }
    let listed = (manifest?.models ?? []).map { Model(name: $0.name, path: $0.path, trainingLog: $0.training_log) }
    let models: [Model]
    switch extraModels {
    case .append: models = listed + extra
    case .replace: models = extra.isEmpty ? listed : extra
    }
    guard let hrFolder = hr ?? manifest?.images.hr else {
      throw ManifestError(path: manifestPath ?? "command line", reason: "no HR folder: give --hr or a manifest")
    }
    let names = try (hr == nil ? manifest?.images.files : nil) ?? PNGFolder.names(in: hrFolder)
    return Workload(models: models, hrFolder: hrFolder, lrFolder: lr ?? manifest?.images.lr, imageNames: names,
                    scale: manifest?.scale, baseline: manifest?.baseline)
  }
}
