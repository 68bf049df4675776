import SRTensor

/// Float64 image planes, the working form of PSNR/SSIM/NIQE (BasicSR casts to float64).
struct Planes {
  /// One row-major `height * width` array per channel.
  var channels: [[Double]]
  /// Height of every plane.
  var height: Int
  /// Width of every plane.
  var width: Int

  /// Checks that `x` is `[1 or 3, H, W]`.
  static func validate(_ x: Tensor, metric: String) throws(MetricError) {
    guard x.rank == 3, x.shape[0] == 1 || x.shape[0] == 3, x.shape[1] > 0, x.shape[2] > 0 else {
      throw .invalidShape(metric: metric, shape: x.shape, expected: "[1 or 3, H, W]")
    }
  }

  /// Checks both inputs and that they have the same shape.
  static func validatePair(_ a: Tensor, _ b: Tensor, metric: String) throws(MetricError) {
    try validate(a, metric: metric)
    try validate(b, metric: metric)
    guard a.shape == b.shape else { throw .sizeMismatch(a: a.shape, b: b.shape) }
  }

  /// Checks `crop` against an `height x width` image: 0 <= crop and something remains.
  static func validateCrop(_ crop: Int, height: Int, width: Int) throws(MetricError) {
    guard crop >= 0, 2 * crop < height, 2 * crop < width else {
      throw .cropTooLarge(crop: crop, height: height, width: width)
    }
  }

  /// The cropped planes of `x` (`[C, H, W]` on 0..255), as Y (if `yChannel` and C == 3) or as is.
  init(_ x: Tensor, crop: Int, yChannel: Bool) {
    let h = x.height - 2 * crop, w = x.width - 2 * crop, plane = x.height * x.width
    height = h
    width = w
    let src = x.data
    func pick(_ c: Int) -> [Double] {
      var out = [Double](repeating: 0, count: h * w)
      for y in 0..<h {
        let base = c * plane + (y + crop) * x.width + crop
        for i in 0..<w { out[y * w + i] = Double(src[base + i]) }
      }
      return out
    }
    if yChannel && x.channels == 3 {
      let r = pick(0), g = pick(1), b = pick(2)
      channels = [(0..<(h * w)).map { ColorSpace.y(r: r[$0], g: g[$0], b: b[$0]) }]
    } else {
      channels = (0..<x.channels).map(pick)
    }
  }

  /// `"HxW"` for error messages.
  var sizeDescription: String { "\(height)x\(width)" }
}
