import SRTensor

/// One image of the data set: the HR reference and its LR input.
public struct ViewerImageSet: Sendable {
  /// A display name (usually the file name).
  public var name: String
  /// The high-resolution reference, `[3, H, W]`, values in 0...1.
  public var hr: Tensor
  /// The low-resolution input, `[3, H/scale, W/scale]`, values in 0...1.
  public var lr: Tensor
  /// The upscaling factor between `lr` and `hr`.
  public var scale: Int

  /// Creates an image set.
  public init(name: String, hr: Tensor, lr: Tensor, scale: Int) {
    self.name = name
    self.hr = hr
    self.lr = lr
    self.scale = scale
  }
}

/// A rectangle in HR pixel coordinates.
public struct CropRect: Sendable, Hashable, CustomStringConvertible {
  /// Left column.
  public var x: Int
  /// Top row.
  public var y: Int
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int

  /// Creates a rectangle.
  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  /// `x,y,w,h`, the form used on the command line.
  public var description: String { "\(x),\(y),\(width),\(height)" }
}

/// Metric values for one model on one image or crop; `nil` means not ready yet, NaN means it cannot
/// be computed for this input (e.g. NIQE of an image smaller than two 96-pixel blocks): "n/a".
public struct MetricRow: Sendable, Equatable {
  /// PSNR on the Y channel in dB (higher is better).
  public var psnrY: Double?
  /// SSIM on the Y channel (higher is better).
  public var ssimY: Double?
  /// LPIPS distance (lower is better).
  public var lpips: Double?
  /// NIQE score (lower is better).
  public var niqe: Double?

  /// Creates a row.
  public init(psnrY: Double? = nil, ssimY: Double? = nil, lpips: Double? = nil, niqe: Double? = nil) {
    self.psnrY = psnrY
    self.ssimY = ssimY
    self.lpips = lpips
    self.niqe = niqe
  }
}

/// What the viewer asks of its host: images, model outputs and metrics, any of which may still be loading.
///
/// The CLI implements this with real models and metrics running in the background; every call must
/// return quickly (return `nil` while something is not ready). Called from the viewer's thread only.
public protocol ViewerDataSource: AnyObject, Sendable {
  /// Display names of the models, in table order.
  var modelNames: [String] { get }
  /// Number of images in the data set.
  var imageCount: Int { get }
  /// The image set at `index`, or `nil` while it is loading (or when it could not be loaded).
  func imageSet(_ index: Int) -> ViewerImageSet?
  /// The image set at `index`; with `wanted: false` the call is a look (a set-wide search) that
  /// does not make `index` the image the background work should serve first.
  func imageSet(_ index: Int, wanted: Bool) -> ViewerImageSet?
  /// Why the image at `index` could not be loaded (one line), or `nil`.
  func imageError(_ index: Int) -> String?
  /// The SR output `[3, H, W]` of `model` on `image`, or `nil` until ready.
  func output(model: Int, image: Int) -> Tensor?
  /// Whole-image metrics of `model` on `image`, or `nil` until ready.
  func wholeImageMetrics(model: Int, image: Int) -> MetricRow?
  /// Metrics of `model` on one crop of `image` (may be computed on demand; the viewer caches them).
  /// A metric that cannot be computed for the crop (too small, not provided) is NaN, shown "n/a".
  func cropMetrics(model: Int, image: Int, crop: CropRect) -> MetricRow?
  /// A spatial LPIPS map `[1, H, W]` for `model` on `image`, or `nil` if not available.
  func lpipsMap(model: Int, image: Int) -> Tensor?
  /// The smallest crop side each crop metric can be computed on (`SSIM`: its 11x11 window; `LPIPS`:
  /// its network's pooling), for the legend's "n/a" reasons.
  var cropMetricMinimumSides: [(metric: String, side: Int)] { get }
  /// Background progress: finished units, total units and a short message.
  var progress: (done: Int, total: Int, message: String) { get }
  /// Why `model` has no output for `image` (one line: the file cannot be loaded, the network failed
  /// on this image), or `nil` while it is still computing or when it succeeded.
  func modelError(model: Int, image: Int) -> String?
  /// Validation PSNR-Y against iteration from the model's training log, or `nil` when it has none
  /// (pretrained references, bicubic, a missing or unreadable log). Drawn as the run chart.
  func validationCurve(model: Int) -> ValidationCurve?
  /// Whether models `a` and `b` can be interpolated (the same architecture and shapes): `.checking`
  /// while the source does not know yet; it finds out once `interpolatedOutput` asks for them.
  func interpolationStatus(a: Int, b: Int) -> InterpolationStatus
  /// The interpolated network's output on `image`: the whole image, else one that covers `crop`,
  /// else `nil`. `crop` is the crop on screen: asking with it makes this the work the background
  /// serves next, that crop first (with context), then the whole image. A `nil` crop only looks
  /// (asks for nothing) and returns the whole image or the last region computed.
  func interpolatedOutput(_ interpolation: Interpolation, image: Int, crop: CropRect?) -> InterpolatedOutput?
  /// Metrics of any output of `image` (an interpolated network's) on one crop, as `cropMetrics(model:...)`.
  func cropMetrics(of output: Tensor, image: Int, crop: CropRect) -> MetricRow?
}

extension ViewerDataSource {
  /// No training logs unless the source provides them.
  public func validationCurve(model: Int) -> ValidationCurve? { nil }
  /// No crop-size limits unless the source states them.
  public var cropMetricMinimumSides: [(metric: String, side: Int)] { [] }
  /// Sources without priorities answer both the same way.
  public func imageSet(_ index: Int, wanted: Bool) -> ViewerImageSet? { imageSet(index) }
  /// No load errors unless the source reports them.
  public func imageError(_ index: Int) -> String? { nil }
  /// No interpolation unless the source has networks.
  public func interpolationStatus(a: Int, b: Int) -> InterpolationStatus { .unavailable("these models are not networks") }
  /// No interpolated outputs unless the source has networks.
  public func interpolatedOutput(_ interpolation: Interpolation, image: Int, crop: CropRect?) -> InterpolatedOutput? { nil }
  /// No metrics of other outputs unless the source computes them.
  public func cropMetrics(of output: Tensor, image: Int, crop: CropRect) -> MetricRow? { nil }
  /// No model errors unless the source reports them.
  public func modelError(model: Int, image: Int) -> String? { nil }
  /// The models that failed on `image`.
  public func failedModels(image: Int) -> [Int] { modelNames.indices.filter { modelError(model: $0, image: image) != nil } }
}
