import SRTensor

/// The network interpolated between model A and the baseline (ESRGAN's network interpolation):
/// every weight `(1 - alpha) * a + alpha * b`, alpha in tenths so `<` / `>` steps are exact.
public struct Interpolation: Sendable, Hashable {
  /// The first model (alpha 0): model A.
  public var a: Int
  /// The second model (alpha 1): the baseline.
  public var b: Int
  /// Alpha in tenths, 0...10.
  public var tenths: Int

  public init(a: Int, b: Int, tenths: Int) {
    self.a = a; self.b = b; self.tenths = tenths
  }

  /// `tenths / 10`.
  public var alpha: Double { Double(tenths) / 10 }

  /// The panel title, e.g. `A<->base α=0.3`.
  public var title: String { "A<->base \u{03B1}=" + Self.decimal(tenths) }

  /// Tenths as a decimal, `3` -> `0.3`.
  public static func decimal(_ tenths: Int) -> String { "\(tenths / 10).\(tenths % 10)" }
}

/// Whether two models can be interpolated, as far as the data source knows.
public enum InterpolationStatus: Sendable, Equatable {
  /// The same architecture and tensor shapes.
  case available
  /// Not known yet (the networks are not loaded); the data source finds out once an output is asked for.
  case checking
  /// Why not, in one line (different architectures, bicubic, a load error).
  case unavailable(String)
}

/// An interpolated network's output at HR size: the whole image, or while that is computing only
/// `region` (the crop on screen with context; black elsewhere).
public struct InterpolatedOutput: Sendable {
  /// `[3, H, W]`, values in 0...1.
  public var image: Tensor
  /// The HR rectangle computed so far, or nil for the whole image.
  public var region: CropRect?

  public init(image: Tensor, region: CropRect?) {
    self.image = image; self.region = region
  }
}

extension CropRect {
  /// Whether `other` lies inside this rectangle.
  public func contains(_ other: CropRect) -> Bool {
    other.x >= x && other.y >= y && other.x + other.width <= x + width && other.y + other.height <= y + height
  }
}

extension ViewerState {
  /// The interpolation panel's network, or nil when the panel is off.
  public var interpolation: Interpolation? {
    interpolationTenths.map { Interpolation(a: focus, b: baseline, tenths: $0) }
  }

  /// `<` (`delta` -1) / `>` (+1): steps alpha by 0.1 within 0...1; the first press shows the panel at
  /// 0.1 (`>`, one step from A) or 0.9 (`<`, one step from the baseline). When A and the baseline
  /// cannot be interpolated, the status line says why and the panel stays off.
  mutating func stepInterpolation(by delta: Int, _ ctx: ViewerContext) {
    if case .unavailable(let why) = ctx.interpolation {
      interpolationTenths = nil
      message = Self.noInterpolation + why
      return
    }
    let current = interpolationTenths ?? (delta > 0 ? 0 : 10)
    interpolationTenths = max(0, min(10, current + delta))
  }

  /// Turns the panel off, saying why, once the data source finds that A and the baseline cannot be
  /// interpolated (found out in the background, or after A or the baseline changed).
  public mutating func settleInterpolation(_ ctx: ViewerContext) {
    guard interpolationTenths != nil, case .unavailable(let why) = ctx.interpolation else { return }
    interpolationTenths = nil
    message = Self.noInterpolation + why
  }

  static let noInterpolation = "no A<->base interpolation: "
}
