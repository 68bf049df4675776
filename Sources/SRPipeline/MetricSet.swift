import Foundation
import SRMetrics
import SRTensor

/// The metrics of one SR/HR pair under SRScope's JSON names, `nil` where a metric cannot be
/// computed for that input (the reason is kept in `notes`).
public struct MetricValues: Sendable, Equatable, Codable {
  public var psnr_y: Double?
  public var ssim_y: Double?
  public var psnr_rgb: Double?
  public var ssim_rgb: Double?
  public var lpips_alex: Double?
  public var lpips_vgg: Double?
  public var niqe: Double?
  /// Why a metric is missing, e.g. `niqe: image smaller than two 96-pixel blocks`.
  public var notes: [String] = []
  /// The per-pixel LPIPS-Alex map (`[1, H, W]`), when `measure` was asked for it.
  public var lpipsAlexMap: Tensor?

  public init() {}

  enum CodingKeys: String, CodingKey { case psnr_y, ssim_y, psnr_rgb, ssim_rgb, lpips_alex, lpips_vgg, niqe }

  /// JSON with exactly the seven metric keys, `null` for missing values, `"inf"` never: an infinite
  /// PSNR (identical images) is written as the JSON string "inf".
  public func jsonObject() -> [String: Any] {
    func v(_ d: Double?) -> Any { d.map { $0.isFinite ? $0 as Any : ($0 > 0 ? "inf" : "-inf") as Any } ?? NSNull() }
    return ["psnr_y": v(psnr_y), "ssim_y": v(ssim_y), "psnr_rgb": v(psnr_rgb), "ssim_rgb": v(ssim_rgb),
            "lpips_alex": v(lpips_alex), "lpips_vgg": v(lpips_vgg), "niqe": v(niqe)]
  }
}

/// Computes PSNR/SSIM (Y and RGB), LPIPS and NIQE of SR images against HR, BasicSR's way:
/// both images quantised to 8 bit, `cropBorder` pixels shaved (default: the scale).
public final class MetricSet: @unchecked Sendable {
  /// Which metrics to compute.
  public struct Selection: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let fidelity = Selection(rawValue: 1)
    public static let lpipsAlex = Selection(rawValue: 2)
    public static let lpipsVGG = Selection(rawValue: 4)
    public static let niqe = Selection(rawValue: 8)
    public static let all: Selection = [.fidelity, .lpipsAlex, .lpipsVGG, .niqe]
  }

  let selection: Selection
  /// The loaded LPIPS-Alex model, if selected and its weights were found (also for crop metrics).
  public let alex: LPIPS?
  let vgg: LPIPS?
  let niqeModel: NIQE?
  /// Why a perceptual metric is unavailable (its weights are missing), reported once per value.
  public private(set) var unavailable: [String] = []

  /// Loads the weights the selection needs from the asset cache; a missing asset disables that
  /// metric (with a note) instead of failing the whole evaluation.
  public init(selection: Selection, assets: AssetLocator = AssetLocator()) {
    self.selection = selection
    var notes: [String] = []
    func load<T>(_ name: String, _ make: () throws -> T) -> T? {
      do { return try make() } catch {
        notes.append("\(name): \(error)")
        return nil
      }
    }
    alex = selection.contains(.lpipsAlex) ? load("lpips_alex") { try LPIPS(backbone: .alex, weightsPath: assets.lpipsWeights(.alex)) } : nil
    vgg = selection.contains(.lpipsVGG) ? load("lpips_vgg") { try LPIPS(backbone: .vgg, weightsPath: assets.lpipsWeights(.vgg)) } : nil
    niqeModel = selection.contains(.niqe) ? load("niqe") { try NIQE(parametersPath: assets.niqeParameters()) } : nil
    unavailable = notes
  }

  /// The metrics of `sr` against `hr` (`[3, H, W]` in [0, 1], same size); with `lpipsMap`, also
  /// the LPIPS-Alex spatial map, from the same trunk pass as the distance.
  /// - Throws: `MetricError.sizeMismatch` when the sizes differ (no metric is meaningful then).
  /// - Parameter cache: where an earlier measurement under the same key is read and a new one stored.
  public func measure(sr: Tensor, hr: Tensor, cropBorder: Int, lpipsMap: Bool = false,
                      cache: (cache: MetricCache, key: String)? = nil) throws -> MetricValues {
    guard sr.shape == hr.shape else {
      throw MetricError.sizeMismatch(a: sr.shape, b: hr.shape)
    }
    try checkBudget(height: sr.height, width: sr.width)
    if let cache, let hit = cache.cache.load(key: cache.key, needMap: lpipsMap) { return hit }
    let sr255 = ColorSpace.quantized255(sr), hr255 = ColorSpace.quantized255(hr)
    let v = compute(sr255: sr255, hr255: hr255, cropBorder: cropBorder, lpipsMap: lpipsMap && alex != nil)
    if let cache { cache.cache.store(v, key: cache.key) }
    return v
  }

  /// Bytes per pixel the selected metrics may hold at once (8-bit copies and Y planes, SSIM's
  /// filtered planes, LPIPS's feature maps at their strides), a deliberate overestimate.
  public var bytesPerPixel: Int { 64 + (alex != nil ? 96 : 0) + (vgg != nil ? 384 : 0) + (niqeModel != nil ? 32 : 0) }

  /// Throws before allocating when an image of this size would need more than `budget` bytes.
  public func checkBudget(height: Int, width: Int, budget: Int = MemoryBudget.machineDefault) throws {
    let need = Checked.product([height, width, bytesPerPixel])
    guard let need, need <= budget else {
      throw MetricError.tooLarge(width: width, height: height, need: need ?? Int.max, budget: budget)
    }
  }

  /// The selection as part of a cache key: which metrics were asked for and which could be loaded.
  public var cacheSelection: String {
    "\(selection.rawValue):\(alex != nil):\(vgg != nil):\(niqeModel != nil)"
  }

  private func compute(sr255: Tensor, hr255: Tensor, cropBorder: Int, lpipsMap: Bool) -> MetricValues {
    var v = MetricValues()
    func attempt(_ name: String, _ f: () throws -> Double) -> Double? {
      do { return try f() } catch {
        v.notes.append("\(name): \(error)")
        return nil
      }
    }
    if selection.contains(.fidelity) {
      v.psnr_y = attempt("psnr_y") { try PSNR.compute(sr255, hr255, cropBorder: cropBorder, yChannel: true) }
      v.ssim_y = attempt("ssim_y") { try SSIM.compute(sr255, hr255, cropBorder: cropBorder, yChannel: true) }
      v.psnr_rgb = attempt("psnr_rgb") { try PSNR.compute(sr255, hr255, cropBorder: cropBorder, yChannel: false) }
      v.ssim_rgb = attempt("ssim_rgb") { try SSIM.compute(sr255, hr255, cropBorder: cropBorder, yChannel: false) }
    }
    let sr01 = sr255.map { $0 / 255 }, hr01 = hr255.map { $0 / 255 }
    if let m = alex {
      v.lpips_alex = attempt("lpips_alex") {
        let comparison = try m.compare(sr01, hr01)
        if lpipsMap { v.lpipsAlexMap = comparison.spatialMap() }
        return comparison.distance
      }
    }
    if let m = vgg { v.lpips_vgg = attempt("lpips_vgg") { try m.distance(sr01, hr01) } }
    if let m = niqeModel { v.niqe = attempt("niqe") { try m.score(sr255, cropBorder: cropBorder) } }
    v.notes += unavailable
    return v
  }
}

