/// Package-internal im2col / col2im access for the CPU trainer (SRTrain).
///
/// Forward uses the same `Ops.im2col` as inference; `col2im` is its exact adjoint (it scatters
/// and accumulates column entries back onto the input plane), used for the input gradient.
package struct ConvColumns: Sendable {
  let g: ConvGeometry

  /// Geometry of a square `kernel` x `kernel` convolution with zero `padding` and `stride`
  /// (output side `(side + 2 * padding - kernel) / stride + 1`, PyTorch's floor rounding).
  package init(inChannels: Int, height: Int, width: Int, outChannels: Int, kernel: Int, padding: Int,
               stride: Int = 1) {
    precondition(inChannels > 0 && height > 0 && width > 0 && outChannels > 0 && kernel > 0 && stride > 0
                   && height + 2 * padding >= kernel && width + 2 * padding >= kernel,
                 "ConvColumns: bad geometry \(inChannels)x\(height)x\(width) k\(kernel) s\(stride) p\(padding)")
    g = ConvGeometry(inChannels: inChannels, height: height, width: width, outChannels: outChannels,
                     kh: kernel, kw: kernel, stride: stride, padding: padding,
                     outH: (height + 2 * padding - kernel) / stride + 1, outW: (width + 2 * padding - kernel) / stride + 1)
  }

  /// Rows of the column matrix (`in * k * k`).
  package var k: Int { g.k }
  /// Columns of the column matrix (`outH * outW`).
  package var outPlane: Int { g.outPlane }
  /// Output rows.
  package var outHeight: Int { g.outH }

  /// Fills `col` (`[k, outPlane]`) from the CHW input `x`.
  package func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
    Ops.im2col(g, x: x, y0: 0, rows: g.outH, col: col)
  }

  /// Fills `col` (`[k, rows.count * outW]`) with output rows `rows` of the column matrix.
  package func im2col(_ x: UnsafePointer<Float>, rows: Range<Int>, _ col: UnsafeMutablePointer<Float>) {
    precondition(rows.lowerBound >= 0 && rows.upperBound <= g.outH, "ConvColumns: rows \(rows) of \(g.outH)")
    Ops.im2col(g, x: x, y0: rows.lowerBound, rows: rows.count, col: col)
  }

  /// Output columns per row.
  package var outWidth: Int { g.outW }

  /// Accumulates the column matrix back onto the CHW input gradient: `dx += col2im(col)`.
  /// Parallel over input channels (each writes its own plane, fixed order inside): deterministic.
  package func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
    let n = g.outPlane
    Parallel.forEach(g.inChannels) { ci in
      let plane = dx + ci * g.height * g.width
      for ky in 0..<g.kh {
        for kx in 0..<g.kw {
          let row = col + ((ci * g.kh + ky) * g.kw + kx) * n
          let valid = g.validColumns(kx: kx)
          if valid.isEmpty { continue }
          let shift = kx - g.padding
          for oy in 0..<g.outH {
            let iy = oy * g.stride - g.padding + ky
            if iy < 0 || iy >= g.height { continue }
            let src = row + oy * g.outW
            let dst = plane + iy * g.width + shift
            if g.stride == 1 {
              for ox in valid { dst[ox] += src[ox] }
            } else {
              for ox in valid { dst[ox * g.stride] += src[ox] }
            }
          }
        }
      }
    }
  }
}

extension ConvGeometry {
  /// Memberwise geometry (no tensors needed); callers validate the sizes.
  init(inChannels: Int, height: Int, width: Int, outChannels: Int, kh: Int, kw: Int,
       stride: Int, padding: Int, outH: Int, outW: Int) {
    self.inChannels = inChannels; self.height = height; self.width = width
    self.outChannels = outChannels; self.kh = kh; self.kw = kw
    self.stride = stride; self.padding = padding; self.outH = outH; self.outW = outW
  }
}
