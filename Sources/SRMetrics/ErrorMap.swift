import SRTensor

/// Per-pixel difference maps for the viewer.
public enum ErrorMap {
  /// Mean absolute difference over channels: `[C, H, W]` pair to `[1, H, W]` (same scale as input).
  /// - Precondition: `a` and `b` are rank 3 with the same shape (check with the metrics first).
  public static func absolute(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.rank == 3 && a.shape == b.shape,
                 "ErrorMap.absolute: shapes \(a.shapeDescription) and \(b.shapeDescription)")
    let c = a.channels, n = a.height * a.width
    var out = [Float](repeating: 0, count: n)
    for ch in 0..<c {
      let base = ch * n
      for i in 0..<n { out[i] += abs(a.data[base + i] - b.data[base + i]) }
    }
    let scale = 1 / Float(c)
    for i in 0..<n { out[i] *= scale }
    return Tensor(shape: [1, a.height, a.width], data: out)
  }
}
