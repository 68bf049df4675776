import SRTensor

extension Kernels {
  /// 2x2 max pooling, stride 2, floor rounding (torchvision VGG's `MaxPool2d(2, 2)`), through
  /// SRTensor's `Ops.maxPool2d` on the batch seen as `n·c` planes.
  static func maxPool2(_ x: FeatureBatch) -> FeatureBatch {
    let t = Ops.maxPool2d(Tensor(shape: [x.n * x.c, x.h, x.w], data: x.data), kernel: 2, stride: 2)
    return FeatureBatch(n: x.n, c: x.c, h: t.height, w: t.width, data: t.data)
  }

  /// Adjoint of `maxPool2`: each output's gradient goes to the first position of its window (row
  /// by row) that holds the maximum, as PyTorch's CPU kernel picks it. Planes in parallel.
  static func maxPool2Backward(input x: FeatureBatch, output y: FeatureBatch, dy: FeatureBatch) -> FeatureBatch {
    precondition(dy.count == y.count && y.h == x.h / 2 && y.w == x.w / 2 && y.n * y.c == x.n * x.c,
                 "maxPool2Backward: shapes \(x.n)x\(x.c)x\(x.h)x\(x.w) -> \(y.h)x\(y.w)")
    var dx = x.zerosLike()
    let (w, oh, ow) = (x.w, y.h, y.w)
    x.data.withUnsafeBufferPointer { xp in
      y.data.withUnsafeBufferPointer { yp in
        dy.data.withUnsafeBufferPointer { gp in
          dx.data.withUnsafeMutableBufferPointer { dp in
            let (xs, ys, gs, ds) = (xp.baseAddress!, yp.baseAddress!, gp.baseAddress!, dp.baseAddress!)
            Parallel.forEach(x.n * x.c) { plane in
              let src = xs + plane * x.plane, dst = ds + plane * x.plane
              for oy in 0..<oh {
                for ox in 0..<ow {
                  let o = plane * y.plane + oy * ow + ox, base = 2 * oy * w + 2 * ox
                  let m = ys[o]
                  var at = base
                  if src[at] != m { at = base + 1 }
                  if src[at] != m { at = base + w }
                  if src[at] != m { at = base + w + 1 }
                  dst[at] += gs[o]
                }
              }
            }
          }
        }
      }
    }
    return dx
  }
}
