import SRImage
import SRTensor

/// Colour conversions with the exact coefficients the SR papers use (SR-SPEC §3.1).
public enum ColorSpace {
  /// MATLAB `rgb2ycbcr` luma on the 0..255 scale for R, G, B on 0..255 (result in 16...235).
  ///
  /// `Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255`, in Double, not rounded.
  @inlinable public static func y(r: Double, g: Double, b: Double) -> Double {
    16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
  }

  /// BasicSR `to_y_channel`, unrounded: `[3, H, W]` RGB on 0..255 to `[1, H, W]` Y on 0..255.
  ///
  /// A `[1, H, W]` input is returned unchanged (BasicSR converts only 3-channel images).
  /// - Precondition: `rgb255` is `[1 or 3, H, W]`.
  public static func yChannel(_ rgb255: Tensor) -> Tensor {
    precondition(rgb255.rank == 3 && (rgb255.channels == 1 || rgb255.channels == 3),
                 "ColorSpace.yChannel: expected [1 or 3, H, W], got \(rgb255.shapeDescription)")
    if rgb255.channels == 1 { return rgb255 }
    let n = rgb255.height * rgb255.width, d = rgb255.data
    let out = (0..<n).map { Float(y(r: Double(d[$0]), g: Double(d[n + $0]), b: Double(d[2 * n + $0]))) }
    return Tensor(shape: [1, rgb255.height, rgb255.width], data: out)
  }

  /// An image tensor in [0, 1] quantised as the uint8 file would be, on the 0..255 scale.
  ///
  /// Metrics are computed on 8-bit images (BasicSR `tensor2img`); this applies
  /// `Quantize.toUInt8` to every sample and returns the levels as floats.
  public static func quantized255(_ x01: Tensor) -> Tensor {
    Tensor(shape: x01.shape, data: x01.data.map { Float(Quantize.toUInt8($0)) })
  }
}
