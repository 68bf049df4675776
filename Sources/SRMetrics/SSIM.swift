import Foundation
import SRTensor

/// Structural similarity as BasicSR `calculate_ssim` / Wang's `ssim_index.m` (SR-SPEC §3.3).
///
/// 11x11 Gaussian window (σ 1.5), C1 = (0.01·255)², C2 = (0.03·255)², valid region only,
/// per channel in float64, averaged over channels. No automatic downsampling.
public enum SSIM {
  /// The window side; the valid map is `(H - 10) x (W - 10)`.
  public static let windowSize = 11

  /// Mean SSIM between two images on the 0..255 scale.
  /// - Parameters:
  ///   - a: `[1 or 3, H, W]` on 0..255.
  ///   - b: same shape as `a`.
  ///   - cropBorder: pixels removed from every edge first.
  ///   - yChannel: measure the MATLAB Y channel (3-channel inputs) instead of all channels.
  /// - Returns: the mean of the SSIM map, averaged over channels (1 for identical images).
  /// - Throws: `MetricError.invalidShape`, `.sizeMismatch`, `.cropTooLarge`, `.imageTooSmall`
  ///   (fewer than 11x11 pixels after cropping).
  public static func compute(_ a: Tensor, _ b: Tensor, cropBorder: Int, yChannel: Bool) throws -> Double {
    let (map, _) = try channelMeanMap(a, b, cropBorder: cropBorder, yChannel: yChannel)
    return map.reduce(0, +) / Double(map.count)
  }

  /// Mean SSIM with options bundled as `MetricOptions`.
  public static func compute(_ a: Tensor, _ b: Tensor, options: MetricOptions) throws -> Double {
    try compute(a, b, cropBorder: options.cropBorder, yChannel: options.testYChannel)
  }

  /// The SSIM map averaged over channels, aligned with the input.
  ///
  /// Output is `[1, H, W]` (the input's full size); pixel (y, x) holds the SSIM of the window
  /// centred there. The `cropBorder + 5` pixels along every edge have no full window and are NaN.
  /// The mean of the finite values equals `compute`.
  /// - Parameters: as `compute(_:_:cropBorder:yChannel:)`.
  /// - Throws: as `compute(_:_:cropBorder:yChannel:)`.
  public static func map(_ a: Tensor, _ b: Tensor, cropBorder: Int, yChannel: Bool) throws -> Tensor {
    let (valid, size) = try channelMeanMap(a, b, cropBorder: cropBorder, yChannel: yChannel)
    let h = a.height, w = a.width, off = cropBorder + windowSize / 2
    var out = [Float](repeating: .nan, count: h * w)
    for y in 0..<size.height {
      for x in 0..<size.width { out[(y + off) * w + x + off] = Float(valid[y * size.width + x]) }
    }
    return Tensor(shape: [1, h, w], data: out)
  }

  /// The valid-region map averaged over channels, and its size.
  private static func channelMeanMap(
    _ a: Tensor, _ b: Tensor, cropBorder: Int, yChannel: Bool
  ) throws -> ([Double], (height: Int, width: Int)) {
    try Planes.validatePair(a, b, metric: "SSIM")
    try Planes.validateCrop(cropBorder, height: a.height, width: a.width)
    let pa = Planes(a, crop: cropBorder, yChannel: yChannel)
    let pb = Planes(b, crop: cropBorder, yChannel: yChannel)
    guard pa.height >= windowSize, pa.width >= windowSize else {
      throw MetricError.imageTooSmall(metric: "SSIM", minimum: "11x11", actual: pa.sizeDescription)
    }
    let vh = pa.height - windowSize + 1, vw = pa.width - windowSize + 1
    var sum = [Double](repeating: 0, count: vh * vw)
    for c in pa.channels.indices {
      let m = channelMap(pa.channels[c], pb.channels[c], height: pa.height, width: pa.width)
      for i in sum.indices { sum[i] += m[i] }
    }
    let k = Double(pa.channels.count)
    return (sum.map { $0 / k }, (vh, vw))
  }

  /// The 11-tap Gaussian (σ = 1.5), normalised to sum 1.
  static let window: [Double] = {
    let g = (0..<windowSize).map { i -> Double in
      let r = Double(i - windowSize / 2)
      return exp(-r * r / (2 * 1.5 * 1.5))
    }
    let s = g.reduce(0, +)
    return g.map { $0 / s }
  }()

  /// SSIM map of one channel over the valid region `(h - 10) x (w - 10)`.
  static func channelMap(_ x: [Double], _ y: [Double], height h: Int, width w: Int) -> [Double] {
    let c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255)
    let mx = filterValid(x, h, w), my = filterValid(y, h, w)
    let xx = filterValid(zip(x, x).map(*), h, w)
    let yy = filterValid(zip(y, y).map(*), h, w)
    let xy = filterValid(zip(x, y).map(*), h, w)
    return mx.indices.map { i in
      let ux = mx[i], uy = my[i]
      let sxx = xx[i] - ux * ux, syy = yy[i] - uy * uy, sxy = xy[i] - ux * uy
      return ((2 * ux * uy + c1) * (2 * sxy + c2)) / ((ux * ux + uy * uy + c1) * (sxx + syy + c2))
    }
  }

  /// Separable correlation with `outer(window, window)`, valid region only.
  static func filterValid(_ p: [Double], _ h: Int, _ w: Int) -> [Double] {
    let k = windowSize, g = window, vh = h - k + 1, vw = w - k + 1
    var rows = [Double](repeating: 0, count: vh * w)
    for y in 0..<vh {
      for t in 0..<k {
        let gt = g[t], src = (y + t) * w, dst = y * w
        for x in 0..<w { rows[dst + x] += gt * p[src + x] }
      }
    }
    var out = [Double](repeating: 0, count: vh * vw)
    for y in 0..<vh {
      let src = y * w, dst = y * vw
      for x in 0..<vw {
        var s = 0.0
        for t in 0..<k { s += g[t] * rows[src + x + t] }
        out[dst + x] = s
      }
    }
    return out
  }
}
