import SRModels
import SRTensor

/// A trainable square convolution with any kernel, stride and zero padding, bias optional: the
/// discriminator's layers (BasicSR `nn.Conv2d(in, out, k, s, p, bias=…)`). `Conv` stays the
/// generators' 3x3 "same" convolution.
///
/// Forward: per sample, im2col (SRTensor's `ConvColumns`, strided) + one SGEMM, samples over
/// `Parallel`'s workers. Backward: per sample `dcol = Wᵀ · dY` and `dx += col2im(dcol)` (samples
/// in parallel, each writes its own `dx`), then `dW += dY · colᵀ` and `db += Σ dY` in sample
/// order. Every product is one whole OpenBLAS call (`splittable: false`): the bits do not depend on
/// the thread count.
final class StridedConv: @unchecked Sendable {
  let weight: Parameter
  let bias: Parameter?
  let inC, outC, kernel, stride, padding: Int

  /// Bytes of im2col columns that `backward` keeps at once (samples are taken in groups).
  static let columnBudgetBytes = 64 << 20

  /// `name.weight` `[out, in, k, k]` and, if `bias`, `name.bias` `[out]`.
  init(_ name: String, in inC: Int, out outC: Int, kernel: Int, stride: Int, padding: Int, bias: Bool) {
    self.inC = inC; self.outC = outC; self.kernel = kernel; self.stride = stride; self.padding = padding
    weight = Parameter(name + ".weight", shape: [outC, inC, kernel, kernel])
    self.bias = bias ? Parameter(name + ".bias", shape: [outC]) : nil
  }

  var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

  private func columns(_ x: FeatureBatch) -> ConvColumns {
    precondition(x.c == inC, "StridedConv: input has \(x.c) channels, expected \(inC)")
    return ConvColumns(inChannels: inC, height: x.h, width: x.w, outChannels: outC, kernel: kernel,
                       padding: padding, stride: stride)
  }

  /// `conv(x) (+ b)`, NCHW in and out; the output side is `(side + 2p - k) / s + 1`.
  func forward(_ x: FeatureBatch) -> FeatureBatch {
    let g = columns(x)
    var y = FeatureBatch(n: x.n, c: outC, h: g.outHeight, w: g.outWidth)
    let k = g.k, plane = g.outPlane, (n, outC, sampleSize) = (x.n, outC, x.sampleSize)
    let b = bias?.value ?? []
    x.data.withUnsafeBufferPointer { xp in
      weight.value.withUnsafeBufferPointer { wp in
        y.data.withUnsafeMutableBufferPointer { yp in
          let (x, w, y) = (xp.baseAddress!, wp.baseAddress!, yp.baseAddress!)
          Parallel.forEachRange(n) { samples in
            let col = UnsafeMutablePointer<Float>.allocate(capacity: k * plane)
            defer { col.deallocate() }
            for s in samples {
              g.im2col(x + s * sampleSize, col)
              let out = y + s * outC * plane
              GEMM.sgemm(transposeA: false, transposeB: false, m: outC, n: plane, k: k, alpha: 1, a: w, lda: k,
                         b: col, ldb: plane, beta: 0, c: out, ldc: plane, splittable: false)
              if b.isEmpty { continue }
              for o in 0..<outC {
                let p = out + o * plane, v = b[o]
                for i in 0..<plane { p[i] += v }
              }
            }
          }
        }
      }
    }
    return y
  }

  /// Accumulates `dW` (and `db`) for `dy` and returns the input gradient when `needInput`.
  /// Samples are taken in groups whose columns fit `columnBudgetBytes`.
  func backward(input x: FeatureBatch, dy: FeatureBatch, needInput: Bool) -> FeatureBatch? {
    let g = columns(x)
    precondition(dy.n == x.n && dy.c == outC && dy.h == g.outHeight && dy.w == g.outWidth,
                 "StridedConv.backward: dy shape")
    var dx: FeatureBatch? = needInput ? x.zerosLike() : nil
    let group = max(1, min(x.n, Self.columnBudgetBytes / (4 * g.k * g.outPlane)))
    let cols = UnsafeMutablePointer<Float>.allocate(capacity: group * g.k * g.outPlane)
    defer { cols.deallocate() }
    x.data.withUnsafeBufferPointer { xp in
      dy.data.withUnsafeBufferPointer { dyp in
        for g0 in Swift.stride(from: 0, to: x.n, by: group) {
          let samples = g0..<min(x.n, g0 + group)
          if dx == nil {
            columnsAndInputGradient(g, x, xp.baseAddress!, dy: dyp.baseAddress!, samples: samples, cols: cols, dx: nil)
          } else {
            dx!.data.withUnsafeMutableBufferPointer { dxp in
              columnsAndInputGradient(g, x, xp.baseAddress!, dy: dyp.baseAddress!, samples: samples, cols: cols,
                                      dx: dxp.baseAddress!)
            }
          }
          parameterGradients(g, samples: samples, dy: dyp.baseAddress!, cols: cols)
        }
      }
    }
    return dx
  }

  /// Per sample of `samples` (independent, in parallel): its columns into `cols` (from the group's
  /// first sample on), and `dx += col2im(Wᵀ · dY)`.
  private func columnsAndInputGradient(_ g: ConvColumns, _ batch: FeatureBatch, _ x: UnsafePointer<Float>,
                                       dy: UnsafePointer<Float>, samples: Range<Int>,
                                       cols: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?) {
    let k = g.k, plane = g.outPlane, (outC, sampleSize) = (outC, batch.sampleSize)
    weight.value.withUnsafeBufferPointer { wp in
      let w = wp.baseAddress!
      Parallel.forEachRange(samples.count) { range in
        let dcol = dx == nil ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * plane)
        defer { dcol?.deallocate() }
        for i in range {
          let s = samples.lowerBound + i
          g.im2col(x + s * sampleSize, cols + i * k * plane)
          guard let dcol, let dx else { continue }
          GEMM.sgemm(transposeA: true, transposeB: false, m: k, n: plane, k: outC, alpha: 1, a: w, lda: k,
                     b: dy + s * outC * plane, ldb: plane, beta: 0, c: dcol, ldc: plane, splittable: false)
          g.col2im(dcol, dx + s * sampleSize)
        }
      }
    }
  }

  /// `dW += dY · colᵀ` (one product per sample) and `db += Σ dY`, in sample order.
  private func parameterGradients(_ g: ConvColumns, samples: Range<Int>, dy: UnsafePointer<Float>,
                                  cols: UnsafePointer<Float>) {
    let k = g.k, plane = g.outPlane
    weight.grad.withUnsafeMutableBufferPointer { gw in
      for s in samples {
        GEMM.sgemm(transposeA: false, transposeB: true, m: outC, n: k, k: plane, alpha: 1,
                   a: dy + s * outC * plane, lda: plane, b: cols + (s - samples.lowerBound) * k * plane, ldb: plane,
                   beta: 1, c: gw.baseAddress!, ldc: k, splittable: false)
      }
    }
    guard let bias else { return }
    for s in samples {
      for o in 0..<outC {
        var acc: Float = 0
        let p = dy + (s * outC + o) * plane
        for i in 0..<plane { acc += p[i] }
        bias.grad[o] += acc
      }
    }
  }
}
