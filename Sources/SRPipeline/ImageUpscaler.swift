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
    var rgb = raw
    clamp01(&rgb)
    var alpha: Tensor? = nil
    if let a = image.alpha {
      let s = upscaler.network.scale
      var up = Resize.bicubic(a, outHeight: a.height * s, outWidth: a.width * s)
      clamp01(&up)
      alpha = up
    }
    let out = Image(rgb: rgb, alpha: alpha, sourceColorType: image.sourceColorType, sourceBitDepth: image.sourceBitDepth)
    return Result(image: out, raw: raw)
  }

  func clamp01(_ t: inout Tensor) {
    t.data.withUnsafeMutableBufferPointer { p in
      for i in p.indices { p[i] = min(1, max(0, p[i])) }
    }
  }
}
