/// Namespace for the tensor operators used by the SR generators and metrics.
///
/// All feature maps are CHW `Tensor`s (batch 1, float32); convolution weights are OIHW.
/// Semantics follow PyTorch (see `Docs/Operators.md` and `SR-SPEC.md` §1.1). Shape
/// mismatches are programmer errors and trap with a message naming both shapes.
public enum Ops {}

/// An activation fused into the output pass of `Ops.conv2d`.
public enum Activation: Sendable, Equatable {
  /// Identity.
  case none
  /// max(x, 0).
  case relu
  /// x for x >= 0, otherwise slope * x.
  case leakyReLU(Float)
}

/// Shared helpers for element-wise kernels.
enum Elementwise {
  /// Elements per parallel block; blocks never depend on the thread count, so results are
  /// bit-identical for any `Parallel.threads`.
  static let grain = 1 << 15

  /// Calls `body` on consecutive index ranges covering `0..<count`, in parallel.
  static func forEachRange(_ count: Int, _ body: (Range<Int>) -> Void) {
    let blocks = (count + grain - 1) / grain
    if blocks <= 1 {
      body(0..<count)
      return
    }
    Parallel.forEach(blocks) { b in body(b * grain..<min(count, (b + 1) * grain)) }
  }

  /// A new array of `count` floats whose ranges are written by `fill(out, range)` in parallel.
  static func makeArray(
    _ count: Int, _ fill: (UnsafeMutablePointer<Float>, Range<Int>) -> Void
  ) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      if let out = buffer.baseAddress { forEachRange(count) { fill(out, $0) } }
      initialized = count
    }
  }

  /// Applies `activation` to `count` contiguous floats at `p`.
  @inline(__always)
  static func activate(_ p: UnsafeMutablePointer<Float>, _ count: Int, _ activation: Activation) {
    switch activation {
    case .none:
      break
    case .relu:
      for i in 0..<count { p[i] = max(p[i], 0) }
    case .leakyReLU(let slope):
      for i in 0..<count {
        let v = p[i]
        p[i] = v < 0 ? v * slope : v
      }
    }
  }
}

/// Traps unless `t` is a rank-3 CHW tensor.
@inline(__always)
func requireCHW(_ t: Tensor, _ op: StaticString) {
  precondition(t.rank == 3, "\(op): expected a CHW tensor, got shape \(t.shapeDescription)")
}
