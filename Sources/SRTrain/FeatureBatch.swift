import SRTensor

/// A batch of CHW feature maps stored NCHW: `data[((n * c + ch) * h + y) * w + x]`.
public struct FeatureBatch: Sendable, Equatable {
  /// Samples in the batch.
  public var n: Int
  /// Channels per sample.
  public var c: Int
  /// Height of every map.
  public var h: Int
  /// Width of every map.
  public var w: Int
  /// NCHW elements, `n * c * h * w` of them.
  public var data: [Float]

  /// A zero-filled batch.
  public init(n: Int, c: Int, h: Int, w: Int) {
    self.n = n; self.c = c; self.h = h; self.w = w
    data = [Float](repeating: 0, count: n * c * h * w)
  }

  /// A batch whose `n * c * h * w` values `fill` writes, every one of them (no zero fill first).
  init(n: Int, c: Int, h: Int, w: Int, filling fill: (UnsafeMutablePointer<Float>) -> Void) {
    self.n = n; self.c = c; self.h = h; self.w = w
    let count = n * c * h * w
    data = [Float](unsafeUninitializedCapacity: count) { out, initialized in
      if count > 0 { fill(out.baseAddress!) }
      initialized = count
    }
  }

  /// A batch from NCHW data (count must match).
  public init(n: Int, c: Int, h: Int, w: Int, data: [Float]) {
    precondition(data.count == n * c * h * w, "FeatureBatch: \(data.count) values for \(n)x\(c)x\(h)x\(w)")
    self.n = n; self.c = c; self.h = h; self.w = w; self.data = data
  }

  /// Stacks equal-shaped CHW tensors into one batch.
  public init(stacking samples: [Tensor]) {
    precondition(!samples.isEmpty && samples.allSatisfy { $0.shape == samples[0].shape && $0.rank == 3 },
                 "FeatureBatch: samples must be non-empty CHW tensors of one shape")
    let s = samples[0]
    self.init(n: samples.count, c: s.channels, h: s.height, w: s.width,
              data: samples.flatMap { $0.data })
  }

  /// Elements of one map.
  public var plane: Int { h * w }
  /// Elements of one sample.
  public var sampleSize: Int { c * h * w }
  /// Total element count.
  public var count: Int { data.count }

  /// Sample `i` as a CHW tensor.
  public func sample(_ i: Int) -> Tensor {
    Tensor(shape: [c, h, w], data: Array(data[i * sampleSize..<(i + 1) * sampleSize]))
  }

  /// A zero batch of the same shape.
  func zerosLike() -> FeatureBatch { FeatureBatch(n: n, c: c, h: h, w: w) }
}
