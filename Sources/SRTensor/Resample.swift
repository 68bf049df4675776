extension Ops {
  /// Nearest-neighbour upsampling of CHW `x` by an integer factor:
  /// `y[c, i, j] = x[c, i / factor, j / factor]`, output `[C, H*factor, W*factor]`.
  public static func upsampleNearest(_ x: Tensor, factor: Int) -> Tensor {
    requireCHW(x, "upsampleNearest")
    precondition(factor >= 1, "upsampleNearest: factor \(factor)")
    let h = x.height, w = x.width, oh = h * factor, ow = w * factor
    return mapPlanes(x, outH: oh, outW: ow) { src, dst in
      for oy in 0..<oh {
        let s = src + (oy / factor) * w, d = dst + oy * ow
        for ix in 0..<w {
          let v = s[ix]
          for j in 0..<factor { d[ix * factor + j] = v }
        }
      }
    }
  }

  /// Bilinear upsampling of CHW `x` by an integer factor, PyTorch `align_corners=False`:
  /// per axis `src = max(0, (dst + 0.5) / factor - 0.5)`, `i0 = floor(src)`,
  /// `i1 = min(i0 + 1, n - 1)`, `y = (1 - l) * x[i0] + l * x[i1]` with `l = src - i0`.
  public static func upsampleBilinear(_ x: Tensor, factor: Int) -> Tensor {
    requireCHW(x, "upsampleBilinear")
    precondition(factor >= 1, "upsampleBilinear: factor \(factor)")
    let w = x.width, oh = x.height * factor, ow = w * factor
    let ys = bilinearTaps(outCount: oh, inCount: x.height, factor: factor)
    let xs = bilinearTaps(outCount: ow, inCount: w, factor: factor)
    return mapPlanes(x, outH: oh, outW: ow) { src, dst in
      for oy in 0..<oh {
        let ty = ys[oy]
        let r0 = src + ty.i0 * w, r1 = src + ty.i1 * w, d = dst + oy * ow
        for ox in 0..<ow {
          let tx = xs[ox]
          let top = (1 - tx.lambda) * r0[tx.i0] + tx.lambda * r0[tx.i1]
          let bottom = (1 - tx.lambda) * r1[tx.i0] + tx.lambda * r1[tx.i1]
          d[ox] = (1 - ty.lambda) * top + ty.lambda * bottom
        }
      }
    }
  }

  /// One output coordinate's two source indices and the weight of the second.
  struct BilinearTap { var i0: Int, i1: Int, lambda: Float }

  /// The taps of PyTorch's `area_pixel_compute_source_index` for `align_corners=False`.
  static func bilinearTaps(outCount: Int, inCount: Int, factor: Int) -> [BilinearTap] {
    let scale = 1 / Float(factor)
    return (0..<outCount).map { d in
      let src = max(0, (Float(d) + 0.5) * scale - 0.5)
      let i0 = min(Int(src), inCount - 1)
      return BilinearTap(i0: i0, i1: min(i0 + 1, inCount - 1), lambda: src - Float(i0))
    }
  }

  /// PixelShuffle: `[C*r*r, H, W] -> [C, H*r, W*r]`, `y[c, h*r+i, w*r+j] = x[c*r*r + i*r + j, h, w]`.
  public static func pixelShuffle(_ x: Tensor, factor r: Int) -> Tensor {
    requireCHW(x, "pixelShuffle")
    precondition(r >= 1 && x.channels % (r * r) == 0,
                 "pixelShuffle: \(x.channels) channels not divisible by \(r)^2")
    let c = x.channels / (r * r), h = x.height, w = x.width, ow = w * r, plane = h * w
    let data = x.data.withUnsafeBufferPointer { sp in
      [Float](unsafeUninitializedCapacity: x.count) { buffer, initialized in
        if let out = buffer.baseAddress, let s = sp.baseAddress {
          Parallel.forEach(c * h) { task in
            let ch = task / h, iy = task % h
            for i in 0..<r {
              let d = out + (ch * h * r + iy * r + i) * ow
              for j in 0..<r {
                let src = s + (ch * r * r + i * r + j) * plane + iy * w
                for ix in 0..<w { d[ix * r + j] = src[ix] }
              }
            }
          }
        }
        initialized = x.count
      }
    }
    return Tensor(shape: [c, h * r, ow], data: data)
  }

  /// Pixel unshuffle (space-to-depth): `[C, H, W] -> [C*s*s, H/s, W/s]`,
  /// `y[c*s*s + i*s + j, h, w] = x[c, h*s+i, w*s+j]`; H and W must be divisible by `s`.
  public static func pixelUnshuffle(_ x: Tensor, factor s: Int) -> Tensor {
    requireCHW(x, "pixelUnshuffle")
    precondition(s >= 1 && x.height % s == 0 && x.width % s == 0,
                 "pixelUnshuffle: \(x.shapeDescription) not divisible by \(s)")
    let c = x.channels, oh = x.height / s, ow = x.width / s, w = x.width
    let data = x.data.withUnsafeBufferPointer { sp in
      [Float](unsafeUninitializedCapacity: x.count) { buffer, initialized in
        if let out = buffer.baseAddress, let src = sp.baseAddress {
          Parallel.forEach(c * s * s) { oc in
            let ch = oc / (s * s), i = (oc / s) % s, j = oc % s
            let d = out + oc * oh * ow, plane = src + ch * x.height * w
            for oy in 0..<oh {
              let row = plane + (oy * s + i) * w + j
              for ox in 0..<ow { d[oy * ow + ox] = row[ox * s] }
            }
          }
        }
        initialized = x.count
      }
    }
    return Tensor(shape: [c * s * s, oh, ow], data: data)
  }

  /// Max pooling without padding (VALID, floor mode, as LPIPS' AlexNet/VGG):
  /// output `[C, (H - kernel)/stride + 1, (W - kernel)/stride + 1]`.
  public static func maxPool2d(_ x: Tensor, kernel: Int, stride: Int) -> Tensor {
    requireCHW(x, "maxPool2d")
    precondition(kernel >= 1 && stride >= 1 && x.height >= kernel && x.width >= kernel,
                 "maxPool2d: kernel \(kernel), stride \(stride) on \(x.shapeDescription)")
    let w = x.width, oh = (x.height - kernel) / stride + 1, ow = (w - kernel) / stride + 1
    return mapPlanes(x, outH: oh, outW: ow) { src, dst in
      for oy in 0..<oh {
        for ox in 0..<ow {
          let base = src + oy * stride * w + ox * stride
          var m = base[0]
          for ky in 0..<kernel {
            for kx in 0..<kernel { m = max(m, base[ky * w + kx]) }
          }
          dst[oy * ow + ox] = m
        }
      }
    }
  }

  /// A `[C, outH, outW]` tensor whose planes are written by `body(srcPlane, dstPlane)`,
  /// channels in parallel.
  static func mapPlanes(
    _ x: Tensor, outH: Int, outW: Int,
    _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
  ) -> Tensor {
    let inPlane = x.height * x.width, outPlane = outH * outW, total = x.channels * outPlane
    let data = x.data.withUnsafeBufferPointer { sp in
      [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
        if let out = buffer.baseAddress, let s = sp.baseAddress {
          Parallel.forEach(x.channels) { c in body(s + c * inPlane, out + c * outPlane) }
        }
        initialized = total
      }
    }
    return Tensor(shape: [x.channels, outH, outW], data: data)
  }
}
