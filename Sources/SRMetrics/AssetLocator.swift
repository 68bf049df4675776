import Foundation

/// Finds the downloaded metric assets under `$SRSCOPE_ASSETS` (default `~/.cache/srscope`).
///
/// Layout (written by `Scripts/fetch-assets.sh`): `niqe/niqe_pris_params.npz`,
/// `lpips/alexnet.ckpt`, `lpips/vgg16.ckpt`.
public struct AssetLocator: Sendable, Equatable {
  /// The asset root directory.
  public var root: String

  /// Uses `root`, or else `$SRSCOPE_ASSETS`, or else `~/.cache/srscope`.
  public init(root: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
    if let root {
      self.root = root
    } else if let env = environment["SRSCOPE_ASSETS"], !env.isEmpty {
      self.root = env
    } else {
      let home = environment["HOME"] ?? NSHomeDirectory()
      self.root = (home as NSString).appendingPathComponent(".cache/srscope")
    }
  }

  /// Where the NIQE pristine parameters are expected (whether or not the file exists).
  public var niqeParametersPath: String { join("niqe/niqe_pris_params.npz") }

  /// Where the LPIPS weights for `backbone` are expected (whether or not the file exists).
  public func lpipsWeightsPath(_ backbone: LPIPS.Backbone) -> String {
    join(backbone == .alex ? "lpips/alexnet.ckpt" : "lpips/vgg16.ckpt")
  }

  /// The NIQE parameter file path, checked to exist.
  /// - Throws: `MetricError.assetMissing` ("NIQE parameters not found at …; run Scripts/fetch-assets.sh").
  public func niqeParameters() throws(MetricError) -> String {
    try existing(niqeParametersPath, what: "NIQE parameters")
  }

  /// The LPIPS weight file path for `backbone`, checked to exist.
  /// - Throws: `MetricError.assetMissing` ("LPIPS weights not found at …; run Scripts/fetch-assets.sh").
  public func lpipsWeights(_ backbone: LPIPS.Backbone) throws(MetricError) -> String {
    try existing(lpipsWeightsPath(backbone), what: "LPIPS weights")
  }

  private func join(_ relative: String) -> String {
    (root as NSString).appendingPathComponent(relative)
  }

  private func existing(_ path: String, what: String) throws(MetricError) -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
      throw .assetMissing(what: what, path: path)
    }
    return path
  }
}
