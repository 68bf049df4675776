import SRImage
import SRMetrics
import SRTensor

/// Validation PSNR-Y / SSIM-Y on 8-bit-quantised outputs, crop border = scale (SR-SPEC §3.1–3.3),
/// computed by `SRMetrics`.
public enum Validation {
  /// Mean PSNR-Y and SSIM-Y of the network over `pairs` (eval-mode forward on whole images).
  public static func evaluate(_ net: TrainableNetwork, pairs: [PatchDataset.Pair]) -> (psnr: Double, ssim: Double) {
    guard !pairs.isEmpty else { return (.nan, .nan) }
    var psnr = 0.0, ssim = 0.0
    for p in pairs {
      let sr = levels(net.infer(p.lr)), hr = levels(p.hr)
      psnr += (try? PSNR.compute(sr, hr, cropBorder: net.scale, yChannel: true)) ?? .nan
      ssim += (try? SSIM.compute(sr, hr, cropBorder: net.scale, yChannel: true)) ?? .nan
    }
    return (psnr / Double(pairs.count), ssim / Double(pairs.count))
  }

  /// [0, 1] floats to rounded, clamped 0...255 levels.
  static func levels(_ x: Tensor) -> Tensor {
    Tensor(shape: x.shape, data: x.data.map { Float(Quantize.toUInt8($0)) })
  }
}
