import SRTensor

/// Bilinear resizing of a single-channel map to an arbitrary size.
enum BilinearResize {
  /// PyTorch `F.interpolate(mode: "bilinear", align_corners: false, size: (h, w))` of a
  /// row-major `inH x inW` map: per axis `src = max(0, (dst + 0.5) * in / out - 0.5)`.
  static func resize(_ m: [Double], inHeight: Int, inWidth: Int, height: Int, width: Int) -> [Double] {
    let ys = taps(inCount: inHeight, outCount: height)
    let xs = taps(inCount: inWidth, outCount: width)
    var out = [Double](repeating: 0, count: height * width)
    for oy in 0..<height {
      let ty = ys[oy], r0 = ty.i0 * inWidth, r1 = ty.i1 * inWidth
      for ox in 0..<width {
        let tx = xs[ox]
        let top = (1 - tx.l) * m[r0 + tx.i0] + tx.l * m[r0 + tx.i1]
        let bottom = (1 - tx.l) * m[r1 + tx.i0] + tx.l * m[r1 + tx.i1]
        out[oy * width + ox] = (1 - ty.l) * top + ty.l * bottom
      }
    }
    return out
  }

  /// Source indices and weight of the second one, for each output position of one axis.
  private static func taps(inCount: Int, outCount: Int) -> [(i0: Int, i1: Int, l: Double)] {
    let ratio = Double(inCount) / Double(outCount)
    return (0..<outCount).map { o in
      let src = max(0, (Double(o) + 0.5) * ratio - 0.5)
      let i0 = min(Int(src), inCount - 1)
      return (i0, min(i0 + 1, inCount - 1), src - Double(i0))
    }
  }
}
