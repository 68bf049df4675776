import Foundation
import SRTensor

/// Peak signal-to-noise ratio as BasicSR `calculate_psnr` (SR-SPEC §3.2).
public enum PSNR {
  /// PSNR in dB between two images on the 0..255 scale.
  /// - Parameters:
  ///   - a: `[1 or 3, H, W]`, values on 0..255 (pass uint8 levels, see `ColorSpace.quantized255`).
  ///   - b: same shape as `a`.
  ///   - cropBorder: pixels removed from every edge first.
  ///   - yChannel: measure the MATLAB Y channel (3-channel inputs) instead of all channels.
  /// - Returns: `10 log10(255² / MSE)` with MSE over pixels and channels; `+inf` when identical.
  /// - Throws: `MetricError.invalidShape`, `.sizeMismatch`, `.cropTooLarge`.
  public static func compute(_ a: Tensor, _ b: Tensor, cropBorder: Int, yChannel: Bool) throws -> Double {
    try Planes.validatePair(a, b, metric: "PSNR")
    try Planes.validateCrop(cropBorder, height: a.height, width: a.width)
    let pa = Planes(a, crop: cropBorder, yChannel: yChannel)
    let pb = Planes(b, crop: cropBorder, yChannel: yChannel)
    var sum = 0.0, count = 0
    for (ca, cb) in zip(pa.channels, pb.channels) {
      for i in ca.indices {
        let d = ca[i] - cb[i]
        sum += d * d
      }
      count += ca.count
    }
    let mse = sum / Double(count)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
  }

  /// PSNR with options bundled as `MetricOptions`.
  public static func compute(_ a: Tensor, _ b: Tensor, options: MetricOptions) throws -> Double {
    try compute(a, b, cropBorder: options.cropBorder, yChannel: options.testYChannel)
  }
}
