import SRTensor

/// The colour type recorded in a PNG file's IHDR chunk.
public enum PNGColorType: String, Sendable {
  /// Grayscale (colour type 0).
  case gray
  /// Grayscale with an alpha channel (colour type 4).
  case grayAlpha
  /// Truecolour RGB (colour type 2).
  case rgb
  /// Truecolour RGB with alpha (colour type 6).
  case rgba
  /// Indexed colour with a PLTE palette (colour type 3).
  case palette
}

/// A decoded image: RGB planes in [0, 1] plus optional alpha, and where it came from.
///
/// Gray sources are replicated to three equal channels and palettes are expanded, so every
/// consumer sees `[3, H, W]`. Sample value `v` of a `b`-bit file becomes `Float(v) / Float(2^b - 1)`
/// (1/2/4-bit gray and palettes are expanded to 8 bit by libpng first, which is exact).
public struct Image: Sendable, Equatable {
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int
  /// Colour planes, shape `[3, height, width]`, values in [0, 1].
  public var rgb: Tensor
  /// Opacity, shape `[1, height, width]` in [0, 1], when the source had alpha or a tRNS chunk.
  public var alpha: Tensor?
  /// The colour type in the source file (`.rgb` for images built in memory).
  public var sourceColorType: PNGColorType
  /// The bit depth in the source file: 1, 2, 4, 8 or 16.
  public var sourceBitDepth: Int

  /// Whether the source was grayscale (`.gray` or `.grayAlpha`).
  public var isGray: Bool { sourceColorType == .gray || sourceColorType == .grayAlpha }

  /// Wraps planes as an image.
  /// - Parameters:
  ///   - rgb: `[3, H, W]` colour planes in [0, 1].
  ///   - alpha: optional `[1, H, W]` opacity in [0, 1].
  ///   - sourceColorType: the colour type to remember (drives the default of `encode(asGray:)`).
  ///   - sourceBitDepth: the source bit depth to remember.
  /// - Precondition: the shapes are as stated (a programmer error otherwise).
  public init(rgb: Tensor, alpha: Tensor? = nil, sourceColorType: PNGColorType = .rgb,
              sourceBitDepth: Int = 8) {
    precondition(rgb.rank == 3 && rgb.channels == 3,
                 "Image: rgb has shape \(rgb.shapeDescription); expected [3, H, W]")
    if let alpha {
      precondition(alpha.shape == [1, rgb.height, rgb.width],
                   "Image: alpha has shape \(alpha.shapeDescription); expected [1, \(rgb.height), \(rgb.width)]")
    }
    self.width = rgb.width
    self.height = rgb.height
    self.rgb = rgb
    self.alpha = alpha
    self.sourceColorType = sourceColorType
    self.sourceBitDepth = sourceBitDepth
  }
}
