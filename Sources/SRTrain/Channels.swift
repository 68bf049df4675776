import SRTensor

/// Channel-slice copies on NCHW batches, one sample per task on `Parallel`'s workers (a dense
/// block copies its growing buffer once per conv, so these are memory-bound and large).
enum Channels {
  /// Copies all channels of `x` into `f` starting at channel `at`.
  static func write(_ x: FeatureBatch, into f: inout FeatureBatch, at: Int) {
    eachSample(of: x, in: &f, at: at) { src, dst, count in dst.update(from: src, count: count) }
  }

  /// Adds all channels of `x` to `f`'s channels starting at `at`, in place.
  static func add(_ x: FeatureBatch, into f: inout FeatureBatch, at: Int) {
    eachSample(of: x, in: &f, at: at) { src, dst, count in for i in 0..<count { dst[i] += src[i] } }
  }

  /// `body(x's sample, f's channels at..<at+x.c of that sample, their value count)` per sample.
  private static func eachSample(of x: FeatureBatch, in f: inout FeatureBatch, at: Int,
                                 _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) {
    precondition(x.n == f.n && x.plane == f.plane && at + x.c <= f.c, "Channels: shape mismatch")
    let (size, fc, plane) = (x.sampleSize, f.c, f.plane)
    x.data.withUnsafeBufferPointer { xp in
      f.data.withUnsafeMutableBufferPointer { fp in
        let task = UncheckedSendable((xp.baseAddress!, fp.baseAddress!))
        Parallel.forEach(x.n) { n in body(task.value.0 + n * size, task.value.1 + (n * fc + at) * plane, size) }
      }
    }
  }

  /// Channels `at..<at+count` of `f` as a new batch.
  static func read(_ f: FeatureBatch, at: Int, count: Int) -> FeatureBatch {
    precondition(at >= 0 && at + count <= f.c, "Channels.read: channels \(at)..<\(at + count) of \(f.c)")
    let size = count * f.plane, (fc, plane) = (f.c, f.plane)
    return FeatureBatch(n: f.n, c: count, h: f.h, w: f.w) { out in
      f.data.withUnsafeBufferPointer { fp in
        let task = UncheckedSendable((fp.baseAddress!, out))
        Parallel.forEach(f.n) { n in
          (task.value.1 + n * size).initialize(from: task.value.0 + (n * fc + at) * plane, count: size)
        }
      }
    }
  }
}
