import SRImage
import SRModels
import SRTensor

/// Upscales a decoded image: colour through the network, alpha separately with MATLAB bicubic.
///
/// Gray images arrive replicated to RGB (SRImage does that) and go through the network as RGB;
/// the caller writes them back as gray. Alpha is not a colour signal the generators were trained
/// on, so it is upscaled with the same MATLAB bicubic kernel used to make LR images, then clamped.
public struct ImageUpscaler: Sendable {
  /// The tiling/padding runner around the network.
  public var upscaler: Upscaler

  public init(upscaler: Upscaler) { self.upscaler = upscaler }

  /// The result of one upscale: the image to save and the raw, unclamped network output.
  public struct Result: Sendable {
    public var image: Image
    public var raw: Tensor
  }

  /// Runs the network on `image.rgb` and upscales alpha.
  /// - Throws: `ModelLoadError.badInput` when the image has no pixels.
  public func upscale(_ image: Image, progress: ((Double) -> Void)? = nil) throws -> Result {
    guard image.width > 0, image.height > 0 else { throw ModelLoadError.badInput("empty image") }
    let raw = upscaler.run(image.rgb, progress: progress)
    let s = upscaler.network.scale
    let alpha = image.alpha.map { Resize.bicubic($0, outHeight: $0.height * s, outWidth: $0.width * s).clamped01() }
    let out = Image(rgb: raw.clamped01(), alpha: alpha, sourceColorType: image.sourceColorType, sourceBitDepth: image.sourceBitDepth)
    return Result(image: out, raw: raw)
  }
}
