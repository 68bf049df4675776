import SRTensor

/// Channel-slice copies on NCHW batches.
enum Channels {
  /// Copies all channels of `x` into `f` starting at channel `at`.
  static func write(_ x: FeatureBatch, into f: inout FeatureBatch, at: Int) {
    precondition(x.n == f.n && x.plane == f.plane && at + x.c <= f.c, "Channels.write: shape mismatch")
    for n in 0..<x.n {
      let src = n * x.sampleSize, dst = (n * f.c + at) * f.plane
      f.data.replaceSubrange(dst..<dst + x.sampleSize, with: x.data[src..<src + x.sampleSize])
    }
  }

  /// Channels `at..<at+count` of `f` as a new batch.
  static func read(_ f: FeatureBatch, at: Int, count: Int) -> FeatureBatch {
    var out = FeatureBatch(n: f.n, c: count, h: f.h, w: f.w)
    for n in 0..<f.n {
      let src = (n * f.c + at) * f.plane, size = count * f.plane
      out.data.replaceSubrange(n * size..<(n + 1) * size, with: f.data[src..<src + size])
    }
    return out
  }
}
