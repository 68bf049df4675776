import Foundation
import SRTensor

/// An in-memory, fully loaded data source, for tests and the `--demo` mode.
public final class StaticDataSource: ViewerDataSource {
  /// Model display names.
  public let modelNames: [String]
  /// The image sets.
  public let images: [ViewerImageSet]
  /// `outputs[model][image]`.
  public let outputs: [[Tensor?]]
  /// `metrics[model][image]`.
  public let metrics: [[MetricRow?]]
  /// `lpipsMaps[model][image]`, empty when none.
  public let lpipsMaps: [[Tensor?]]
  /// The fixed progress this source reports.
  public let progress: (done: Int, total: Int, message: String)
  /// `curves[model]`, empty when no model has a training log.
  public let curves: [ValidationCurve?]
  /// Images that "failed to load": index -> error line (their `imageSet` is `nil`).
  public let imageErrors: [Int: String]
  /// Models that "failed": model index -> error line (for every image).
  public let modelErrors: [Int: String]
  /// `architectures[model]`: models with the same name can be "interpolated" (nil or missing: not a network).
  public let architectures: [String?]

  /// Creates a source from complete arrays indexed `[model][image]`.
  public init(modelNames: [String], images: [ViewerImageSet], outputs: [[Tensor?]],
              metrics: [[MetricRow?]] = [], lpipsMaps: [[Tensor?]] = [],
              progress: (done: Int, total: Int, message: String) = (1, 1, "ready"),
              curves: [ValidationCurve?] = [], imageErrors: [Int: String] = [:], modelErrors: [Int: String] = [:],
              architectures: [String?] = []) {
    self.modelNames = modelNames
    self.images = images
    self.outputs = outputs
    self.metrics = metrics
    self.lpipsMaps = lpipsMaps
    self.progress = progress
    self.curves = curves
    self.imageErrors = imageErrors
    self.modelErrors = modelErrors
    self.architectures = architectures
  }

  /// Number of images.
  public var imageCount: Int { images.count }

  /// The image set at `index`, `nil` when out of range or listed in `imageErrors`.
  public func imageSet(_ index: Int) -> ViewerImageSet? {
    images.indices.contains(index) && imageErrors[index] == nil ? images[index] : nil
  }

  /// The error listed for `index`, if any.
  public func imageError(_ index: Int) -> String? { imageErrors[index] }

  /// The error listed for `model`, if any.
  public func modelError(model: Int, image: Int) -> String? { modelErrors[model] }

  /// The stored output, `nil` when out of range.
  public func output(model: Int, image: Int) -> Tensor? { Self.lookup(outputs, model, image) }

  /// The stored whole-image metrics, `nil` when out of range.
  public func wholeImageMetrics(model: Int, image: Int) -> MetricRow? { Self.lookup(metrics, model, image) }

  /// The stored LPIPS map, `nil` when none.
  public func lpipsMap(model: Int, image: Int) -> Tensor? { Self.lookup(lpipsMaps, model, image) }

  /// The stored validation curve, `nil` when none.
  public func validationCurve(model: Int) -> ValidationCurve? { curves.indices.contains(model) ? curves[model] : nil }

  /// Available when both models have the same entry in `architectures`.
  public func interpolationStatus(a: Int, b: Int) -> InterpolationStatus {
    func arch(_ m: Int) -> String? { architectures.indices.contains(m) ? architectures[m] : nil }
    func name(_ m: Int) -> String { modelNames.indices.contains(m) ? modelNames[m] : "model \(m + 1)" }
    guard a != b else { return .unavailable("A and the baseline are the same model") }
    guard let x = arch(a), let y = arch(b) else { return .unavailable("\(name(arch(a) == nil ? a : b)) is not a network") }
    return x == y ? .available : .unavailable("different architectures: \(name(a)) is \(x), \(name(b)) is \(y)")
  }

  /// A stand-in for tests and the demo: the outputs blended pixel by pixel (a real source runs the
  /// network with blended weights), always the whole image.
  public func interpolatedOutput(_ interpolation: Interpolation, image: Int, crop: CropRect?) -> InterpolatedOutput? {
    guard interpolationStatus(a: interpolation.a, b: interpolation.b) == .available,
          let a = output(model: interpolation.a, image: image), let b = output(model: interpolation.b, image: image),
          a.shape == b.shape else { return nil }
    let t = Float(interpolation.alpha)
    return InterpolatedOutput(image: Tensor(shape: a.shape, data: zip(a.data, b.data).map { (1 - t) * $0 + t * $1 }), region: nil)
  }

  /// PSNR-Y on the crop (BT.601 studio-range Y, peak 255, no border crop); SSIM and LPIPS are not
  /// computed here (NaN, shown "n/a").
  ///
  /// This is a simple stand-in so demos show numbers; real sources delegate to SRMetrics.
  public func cropMetrics(model: Int, image: Int, crop: CropRect) -> MetricRow? {
    output(model: model, image: image).flatMap { cropMetrics(of: $0, image: image, crop: crop) }
  }

  /// The stand-in PSNR-Y of `cropMetrics(model:image:crop:)` for any output.
  public func cropMetrics(of sr: Tensor, image: Int, crop: CropRect) -> MetricRow? {
    guard let hr = imageSet(image)?.hr, sr.shape == hr.shape, sr.rank == 3, sr.channels == 3 else { return nil }
    let x0 = max(0, crop.x), y0 = max(0, crop.y)
    let x1 = min(hr.width, crop.x + crop.width), y1 = min(hr.height, crop.y + crop.height)
    guard x1 > x0, y1 > y0 else { return nil }
    var sum = 0.0
    for y in y0..<y1 {
      for x in x0..<x1 {
        let d = Self.luma(sr, y, x) - Self.luma(hr, y, x)
        sum += d * d
      }
    }
    let mse = sum / Double((x1 - x0) * (y1 - y0))
    return MetricRow(psnrY: mse == 0 ? .infinity : 10 * log10(255 * 255 / mse), ssimY: .nan, lpips: .nan)
  }

  /// BT.601 Y (16...235) of a `[3, H, W]` 0...1 tensor at a pixel, in 0...255 units.
  static func luma(_ t: Tensor, _ y: Int, _ x: Int) -> Double {
    let r = Double(t[0, y, x]), g = Double(t[1, y, x]), b = Double(t[2, y, x])
    return 16 + 65.481 * r + 128.553 * g + 24.966 * b
  }

  private static func lookup<T>(_ table: [[T?]], _ model: Int, _ image: Int) -> T? {
    guard table.indices.contains(model), table[model].indices.contains(image) else { return nil }
    return table[model][image]
  }
}
