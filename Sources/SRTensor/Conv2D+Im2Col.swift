/// Validated shape arithmetic for one convolution.
struct ConvGeometry {
  let inChannels, height, width: Int
  let outChannels, kh, kw, stride, padding: Int
  let outH, outW: Int

  /// Checks the shapes (trapping with both shapes on mismatch) and derives the output size.
  init(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) {
    requireCHW(x, "conv2d")
    precondition(weight.rank == 4 && weight.shape[1] == x.channels,
                 "conv2d: weight \(weight.shapeDescription) for input \(x.shapeDescription)")
    precondition(stride >= 1 && padding >= 0, "conv2d: stride \(stride), padding \(padding)")
    precondition(x.count > 0 && weight.count > 0,
                 "conv2d: empty input \(x.shapeDescription) or weight \(weight.shapeDescription)")
    inChannels = x.channels; height = x.height; width = x.width
    outChannels = weight.shape[0]; kh = weight.shape[2]; kw = weight.shape[3]
    self.stride = stride; self.padding = padding
    if let bias {
      precondition(bias.count == outChannels,
                   "conv2d: bias \(bias.shapeDescription) for weight \(weight.shapeDescription)")
    }
    precondition(kh >= 1 && kw >= 1 && height + 2 * padding >= kh && width + 2 * padding >= kw,
                 "conv2d: kernel \(weight.shapeDescription) larger than padded input \(x.shapeDescription)")
    outH = (height + 2 * padding - kh) / stride + 1
    outW = (width + 2 * padding - kw) / stride + 1
  }

  /// GEMM depth `in * kh * kw` (one OIHW weight row).
  var k: Int { inChannels * kh * kw }
  /// Output pixels per channel.
  var outPlane: Int { outH * outW }
  /// A 1x1, stride-1, unpadded conv is a plain GEMM on the input.
  var isPointwise: Bool { kh == 1 && kw == 1 && stride == 1 && padding == 0 }

  /// The output columns `ox` whose input column `ox*stride - padding + kx` lies inside the image.
  func validColumns(kx: Int) -> Range<Int> {
    let lo = max(0, ceilDiv(padding - kx, stride))
    let hi = min(outW, floorDiv(width - 1 + padding - kx, stride) + 1)
    return lo..<max(lo, hi)
  }
}

@inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }

extension Ops {
  /// Writes output rows `y0..<y0+rows` of the im2col matrix: row `(ci*kh + ky)*kw + kx`,
  /// column `r*outW + ox` holds `x[ci, (y0+r)*s - p + ky, ox*s - p + kx]` (0 outside).
  /// Parallel over `(ci, ky)`; each task writes `kw` disjoint rows.
  static func im2col(
    _ g: ConvGeometry, x: UnsafePointer<Float>, y0: Int, rows: Int, col: UnsafeMutablePointer<Float>
  ) {
    let n = rows * g.outW
    Parallel.forEach(g.inChannels * g.kh) { task in
      let ci = task / g.kh, ky = task % g.kh
      let plane = x + ci * g.height * g.width
      for kx in 0..<g.kw {
        let dstRow = col + (task * g.kw + kx) * n
        let valid = g.validColumns(kx: kx)
        let shift = kx - g.padding
        for r in 0..<rows {
          let dst = dstRow + r * g.outW
          let iy = (y0 + r) * g.stride - g.padding + ky
          if iy < 0 || iy >= g.height || valid.isEmpty {
            dst.update(repeating: 0, count: g.outW)
            continue
          }
          let src = plane + iy * g.width
          dst.update(repeating: 0, count: valid.lowerBound)
          if g.stride == 1 {
            (dst + valid.lowerBound).update(from: src + valid.lowerBound + shift, count: valid.count)
          } else {
            for ox in valid { dst[ox] = src[ox * g.stride + shift] }
          }
          (dst + valid.upperBound).update(repeating: 0, count: g.outW - valid.upperBound)
        }
      }
    }
  }
}
