import SRTensor

/// A batch of `n` maps of `h x w` laid out as ONE wide CHW map: the samples side by side, one zero
/// column between neighbours, `n·(w+1) − 1` columns in all.
///
/// A 3x3 "same" convolution of the wide map equals the convolution of each sample with its own
/// zero padding (the zero column is the padding of both neighbours), so the batch runs as one
/// image through the Winograd kernels: a 24-pixel-wide sample alone fills 6 of a tile block's 16
/// lanes, sixteen of them side by side fill 100 of 112. Columns between samples are computed and
/// dropped by `unpack`.
struct SideBySide {
  let n, h, w: Int

  init(_ batch: FeatureBatch) { n = batch.n; h = batch.h; w = batch.w }

  /// Columns of the wide map.
  var width: Int { n * (w + 1) - 1 }
  /// Elements of one wide channel.
  var plane: Int { h * width }

  /// Channels `0..<channels` of `x` as a wide `[channels, h, width]` tensor (separators zero).
  func pack(_ x: FeatureBatch, channels: Int) -> Tensor {
    precondition(x.n == n && x.h == h && x.w == w && channels <= x.c, "SideBySide.pack: shape")
    let total = channels * plane, (width, plane, w, h, c) = (width, plane, w, h, x.c)
    let data = [Float](unsafeUninitializedCapacity: total) { out, initialized in
      x.data.withUnsafeBufferPointer { xp in
        let (src, dst) = (xp.baseAddress!, UncheckedSendable(out.baseAddress!))
        Parallel.forEach(channels) { ch in
          let d = dst.value + ch * plane
          for y in 0..<h {
            let row = d + y * width
            for s in 0..<n {
              (row + s * (w + 1)).update(from: src + ((s * c + ch) * h + y) * w, count: w)
              if s + 1 < n { row[s * (w + 1) + w] = 0 }
            }
          }
        }
      }
      initialized = total
    }
    return Tensor(shape: [channels, h, width], data: data)
  }

  /// Writes (or with `accumulate` adds) the wide `[channels, h, width]` map `t` into channels
  /// `0..<channels` of `y`, dropping the separator columns.
  func unpack(_ t: Tensor, into y: inout FeatureBatch, accumulate: Bool = false) {
    let channels = t.channels
    precondition(t.height == h && t.width == width && y.n == n && y.h == h && y.w == w && channels <= y.c,
                 "SideBySide.unpack: shape")
    let (width, plane, w, h, c) = (width, plane, w, h, y.c)
    t.data.withUnsafeBufferPointer { tp in
      y.data.withUnsafeMutableBufferPointer { yp in
        let (src, dst) = (tp.baseAddress!, UncheckedSendable(yp.baseAddress!))
        Parallel.forEach(channels) { ch in
          for s in 0..<n {
            for row in 0..<h {
              let from = src + ch * plane + row * width + s * (w + 1)
              let to = dst.value + ((s * c + ch) * h + row) * w
              if accumulate { for i in 0..<w { to[i] += from[i] } } else { to.update(from: from, count: w) }
            }
          }
        }
      }
    }
  }
}
