import Foundation
import SRFormats
import SRImage
import SRTensor

/// NIQE no-reference quality (BasicSR `calculate_niqe`, LIVE `computequality.m`; SR-SPEC §3.6).
///
/// Lower is better. Computed on the rounded MATLAB Y channel, 96x96 blocks without overlap at
/// two scales, against the pristine model in BasicSR's `niqe_pris_params.npz`.
public final class NIQE: Sendable {
  /// The block side at scale 1.
  public static let blockSize = 96
  private let muPristine: [Double]  // 36
  private let covPristine: [Double]  // 36 x 36
  private let window: [Double]  // 7 x 7

  /// Loads the pristine model from BasicSR's `niqe_pris_params.npz`.
  /// - Parameter parametersPath: see `AssetLocator.niqeParameters`.
  /// - Throws: `MetricError.assetMissing` if absent, `.invalidAsset` for missing arrays or wrong
  ///   shapes, or `NumPyError` for a malformed file.
  public init(parametersPath: String) throws {
    guard FileManager.default.fileExists(atPath: parametersPath),
          let data = FileManager.default.contents(atPath: parametersPath) else {
      throw MetricError.assetMissing(what: "NIQE parameters", path: parametersPath)
    }
    let arrays = try NumPy.readNPZ([UInt8](data))
    func array(_ name: String, _ shape: [Int]) throws -> [Double] {
      guard let a = arrays[name] else {
        throw MetricError.invalidAsset(path: parametersPath, reason: "missing array '\(name)'")
      }
      guard a.shape == shape else {
        throw MetricError.invalidAsset(path: parametersPath, reason: "'\(name)' has shape \(a.shape); expected \(shape)")
      }
      return a.data
    }
    muPristine = try array("mu_pris_param", [1, 36])
    covPristine = try array("cov_pris_param", [36, 36])
    window = try array("gaussian_window", [7, 7])
  }

  /// NIQE of an image on the 0..255 scale.
  /// - Parameters:
  ///   - rgb255: `[3, H, W]` RGB (converted to Y) or `[1, H, W]` Y, on 0..255.
  ///   - cropBorder: pixels removed from every edge after the Y conversion (use the SR scale).
  /// - Returns: the NIQE score (about 2–10 for natural images; lower is more natural).
  /// - Throws: `MetricError.invalidShape`, `.cropTooLarge`, `.imageTooSmall` (fewer than two
  ///   96x96 blocks after cropping), `.undefined` (e.g. a flat image: no usable block).
  public func score(_ rgb255: Tensor, cropBorder: Int) throws -> Double {
    try Planes.validate(rgb255, metric: "NIQE")
    try Planes.validateCrop(cropBorder, height: rgb255.height, width: rgb255.width)
    let y = Planes(rgb255, crop: cropBorder, yChannel: true)
    let bs = Self.blockSize, rows = y.height / bs, cols = y.width / bs
    guard rows * cols >= 2 else {
      throw MetricError.imageTooSmall(metric: "NIQE", minimum: "2 blocks of 96x96 (96x192 or 192x96)",
                                      actual: y.sizeDescription)
    }
    // MATLAB Y as float32, rounded half to even (NumPy `round`), top-left whole blocks.
    var h = rows * bs, w = cols * bs
    var img = [Double](repeating: 0, count: h * w)
    for r in 0..<h {
      for c in 0..<w { img[r * w + c] = Double(Float(y.channels[0][r * y.width + c])).rounded(.toNearestOrEven) }
    }
    var features = [[Double]](repeating: [], count: rows * cols)
    for scale in 1...2 {
      let m = NIQEFeatures.mscn(img, h, w, window: window)
      let perBlock = NIQEFeatures.blocks(m, h, w, size: bs / scale)
      for k in features.indices { features[k] += perBlock[k] }
      if scale == 1 {
        let t = Tensor(shape: [1, h, w], data: img.map { Float($0 / 255) })
        let half = Resize.bicubic(t, scale: 0.5)
        (h, w) = (half.height, half.width)
        img = half.data.map { Double($0) * 255 }
      }
    }
    return try distance(features)
  }

  /// √((μp − μd) · pinv((Σp + Σd)/2) · (μp − μd)ᵀ) over the block features (step 6).
  func distance(_ features: [[Double]]) throws -> Double {
    let n = 36
    let complete = features.filter { !$0.contains(where: \.isNaN) }
    guard complete.count >= 2 else {
      throw MetricError.undefined(metric: "NIQE", reason: "\(complete.count) of \(features.count) blocks have finite features; need 2")
    }
    let mu = (0..<n).map { j -> Double in
      let finite = features.map { $0[j] }.filter { !$0.isNaN }
      return finite.reduce(0, +) / Double(finite.count)
    }
    let mean = (0..<n).map { j in complete.reduce(0) { $0 + $1[j] } / Double(complete.count) }
    var m = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in i..<n {
        var s = 0.0
        for row in complete { s += (row[i] - mean[i]) * (row[j] - mean[j]) }
        let cov = s / Double(complete.count - 1)
        m[i * n + j] = (covPristine[i * n + j] + cov) / 2
        m[j * n + i] = (covPristine[j * n + i] + cov) / 2
      }
    }
    let inv = SymmetricMatrix.pseudoInverse(m, n: n)
    let d = (0..<n).map { muPristine[$0] - mu[$0] }
    var q = 0.0
    for i in 0..<n {
      for j in 0..<n { q += d[i] * inv[i * n + j] * d[j] }
    }
    guard q.isFinite, q >= 0 else { throw MetricError.undefined(metric: "NIQE", reason: "non-finite distance") }
    return q.squareRoot()
  }
}
