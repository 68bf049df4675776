import Foundation
import SRImage
import SRTensor

/// An HR image and the LR image the models receive (BasicSR benchmark protocol: mod-crop to the
/// scale, MATLAB bicubic 1/scale, 8-bit), or a given LR image when HR/LR folders are paired.
public struct EvalImage: Sendable {
  public var name: String
  /// `[3, H, W]` in [0, 1], mod-cropped so that `H = h * scale`.
  public var hr: Tensor
  /// `[3, h, w]` in [0, 1].
  public var lr: Tensor
  public var scale: Int
  /// Names the pixels without hashing them: the HR (and LR) file's path, size, modification time
  /// and inode, and the scale. Part of the metric cache key.
  public var identity: String = ""

  /// Loads `hrPath` and makes (or, with `lrPath`, reads and checks) its LR counterpart.
  /// - Throws: `ImageFileError`, or `EvalError.badPair` when sizes disagree or the image is smaller than the scale.
  public static func load(hrPath: String, lrPath: String? = nil, scale: Int) throws -> EvalImage {
    let name = (hrPath as NSString).lastPathComponent
    let hrImage = try ImageFile.read(contentsOf: hrPath)
    guard hrImage.width >= scale, hrImage.height >= scale else {
      throw EvalError.badPair("\(hrPath): \(hrImage.width)x\(hrImage.height) is smaller than the scale \(scale)")
    }
    let hr = Degrade.modcrop(hrImage.rgb, multiple: scale)
    guard let lrPath else {
      return EvalImage(name: name, hr: hr, lr: Degrade.makeLR(hrImage.rgb, scale: scale), scale: scale,
                       identity: identity(hrPath, nil, scale))
    }
    let lr = try ImageFile.read(contentsOf: lrPath).rgb
    guard lr.height * scale == hr.height, lr.width * scale == hr.width else {
      throw EvalError.badPair("\(lrPath): LR \(lr.width)x\(lr.height) x\(scale) does not match HR \(hrPath) \(hr.width)x\(hr.height)")
    }
    return EvalImage(name: name, hr: hr, lr: lr, scale: scale, identity: identity(hrPath, lrPath, scale))
  }

  static func identity(_ hr: String, _ lr: String?, _ scale: Int) -> String {
    let parts = [hr, OutputCache.fileStamp(hr), lr ?? "bicubic-lr", lr.map(OutputCache.fileStamp) ?? "", "\(scale)"]
    return SHA256.hex(Array(parts.joined(separator: "|").utf8))
  }
}

/// An evaluation input problem.
public enum EvalError: Error, CustomStringConvertible, Equatable {
  case badPair(String)
  case noImages(String)
  /// Shards that cannot be merged, or a file that is not an eval result.
  case merge(String)
  public var description: String {
    switch self {
    case .badPair(let s), .merge(let s): return s
    case .noImages(let s): return "no images: \(s)"
    }
  }
}
