import SRTensor
/// Why a metric could not be computed. Each case prints one line (`description`).
public enum MetricError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The two images differ in shape (`[C, H, W]` each).
  case sizeMismatch(a: [Int], b: [Int])
  /// An input is not a `[C, H, W]` tensor with an allowed channel count.
  case invalidShape(metric: String, shape: [Int], expected: String)
  /// `cropBorder` is negative or removes the whole image.
  case cropTooLarge(crop: Int, height: Int, width: Int)
  /// The (cropped) image is below the metric's minimum size, e.g. SSIM's 11x11 window.
  case imageTooSmall(metric: String, minimum: String, actual: String)
  /// An asset file (LPIPS weights, NIQE parameters) is not where it was looked for.
  case assetMissing(what: String, path: String)
  /// An asset file was read but does not hold what the metric needs.
  case invalidAsset(path: String, reason: String)
  /// The statistic is undefined for this input (e.g. NIQE of a flat image).
  case undefined(metric: String, reason: String)
  /// Measuring an image this large would need more memory than the budget.
  case tooLarge(width: Int, height: Int, need: Int, budget: Int)

  /// One line: subject, problem, expected vs actual.
  public var description: String {
    switch self {
    case .sizeMismatch(let a, let b):
      return "images differ in size: \(Self.shape(a)) vs \(Self.shape(b))"
    case .tooLarge(let w, let h, let need, let budget):
      return "a \(w)x\(h) image needs about \(need == Int.max ? "more than 8 EB" : MemoryBudget.describe(need)) for its metrics, "
        + "more than the budget of \(MemoryBudget.describe(budget))"
    case .invalidShape(let metric, let shape, let expected):
      return "\(metric): input has shape \(Self.shape(shape)); expected \(expected)"
    case .cropTooLarge(let crop, let height, let width):
      return "crop border \(crop) is too large for a \(height)x\(width) image (HxW)"
    case .imageTooSmall(let metric, let minimum, let actual):
      return "\(metric): image is \(actual) (HxW after cropping); needs at least \(minimum)"
    case .assetMissing(let what, let path):
      return "\(what) not found at \(path); run Scripts/fetch-assets.sh"
    case .invalidAsset(let path, let reason):
      return "\(path): \(reason)"
    case .undefined(let metric, let reason):
      return "\(metric) is undefined for this image: \(reason)"
    }
  }

  private static func shape(_ s: [Int]) -> String {
    "[" + s.map(String.init).joined(separator: ", ") + "]"
  }
}
