import SRTensor

/// A trainable 3x3 (k x k, stride 1, "same" padding) convolution with bias.
///
/// Forward: per sample, im2col + one SGEMM, the samples split over `Parallel`'s workers. Backward:
/// per sample `dcol = Wᵀ · dY`, `dx += col2im(dcol)` (samples in parallel, each writes its own
/// `dx`), then `dW += dY · colᵀ` (one worker) beside `db += Σ dY` (another), both in sample order.
/// Every product is the same whole OpenBLAS call (`splittable: false`) on any thread count, in the
/// same order, and im2col / col2im sum each element in a fixed order: checkpoints do not depend on
/// the thread count.
final class Conv: @unchecked Sendable {
  let weight: Parameter
  let bias: Parameter
  let inC, outC, kernel: Int

  /// Bytes of im2col columns that `backward` keeps at once (samples are taken in groups).
  static let columnBudgetBytes = 64 << 20

  init(_ name: String, in inC: Int, out outC: Int, kernel: Int = 3) {
    self.inC = inC; self.outC = outC; self.kernel = kernel
    weight = Parameter(name + ".weight", shape: [outC, inC, kernel, kernel])
    bias = Parameter(name + ".bias", shape: [outC])
  }

  var parameters: [Parameter] { [weight, bias] }
  var macsPerPixel: Int { inC * outC * kernel * kernel }

  private func columns(_ x: FeatureBatch) -> ConvColumns {
    precondition(x.c >= inC, "Conv: input has \(x.c) channels, conv reads \(inC)")
    return ConvColumns(inChannels: inC, height: x.h, width: x.w, outChannels: outC,
                       kernel: kernel, padding: kernel / 2)
  }

  /// `conv(x[:, :inC]) + b`; `x` may carry more channels than the conv reads (dense blocks).
  func forward(_ x: FeatureBatch) -> FeatureBatch {
    let g = columns(x)
    var y = FeatureBatch(n: x.n, c: outC, h: x.h, w: x.w)
    let hw = x.plane, k = g.k, (n, outC, sampleSize) = (x.n, outC, x.sampleSize)
    x.data.withUnsafeBufferPointer { xp in
      weight.value.withUnsafeBufferPointer { wp in
        bias.value.withUnsafeBufferPointer { bp in
          y.data.withUnsafeMutableBufferPointer { yp in
            let (x, w, b, y) = (xp.baseAddress!, wp.baseAddress!, bp.baseAddress!, yp.baseAddress!)
            Parallel.forEachRange(n) { samples in
              let col = UnsafeMutablePointer<Float>.allocate(capacity: k * hw)
              defer { col.deallocate() }
              for s in samples {
                g.im2col(x + s * sampleSize, col)
                let out = y + s * outC * hw
                GEMM.sgemm(transposeA: false, transposeB: false, m: outC, n: hw, k: k,
                           alpha: 1, a: w, lda: k, b: col, ldb: hw, beta: 0, c: out, ldc: hw, splittable: false)
                for o in 0..<outC {
                  let bias = b[o], p = out + o * hw
                  for i in 0..<hw { p[i] += bias }
                }
              }
            }
          }
        }
      }
    }
    return y
  }

  /// Accumulates parameter gradients for `dy` and, if `dx` is given, adds the input gradient
  /// into its first `inC` channels (`dx` has the shape of the forward input).
  func backward(input x: FeatureBatch, dy: FeatureBatch, dx: inout FeatureBatch?) {
    precondition(dy.n == x.n && dy.c == outC && dy.h == x.h && dy.w == x.w, "Conv.backward: dy shape")
    x.data.withUnsafeBufferPointer { xp in
      dy.data.withUnsafeBufferPointer { dyp in
        if dx == nil {
          backward(x, xp.baseAddress!, dy: dyp.baseAddress!, dx: nil)
        } else {
          dx!.data.withUnsafeMutableBufferPointer { dxp in
            backward(x, xp.baseAddress!, dy: dyp.baseAddress!, dx: dxp.baseAddress!)
          }
        }
      }
    }
  }

  /// `backward` on raw NCHW buffers (`batch` gives the input's shape).
  private func backward(_ batch: FeatureBatch, _ x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                        dx: UnsafeMutablePointer<Float>?) {
    let g = columns(batch)
    let hw = batch.plane, k = g.k, (n, outC, sampleSize) = (batch.n, outC, batch.sampleSize)
    let group = max(1, min(n, Self.columnBudgetBytes / (4 * k * hw)))
    let cols = UnsafeMutablePointer<Float>.allocate(capacity: group * k * hw)
    defer { cols.deallocate() }
    weight.value.withUnsafeBufferPointer { wp in
      weight.grad.withUnsafeMutableBufferPointer { gwp in
        bias.grad.withUnsafeMutableBufferPointer { gbp in
          let (w, gw, gb) = (wp.baseAddress!, gwp.baseAddress!, gbp.baseAddress!)
          for g0 in stride(from: 0, to: n, by: group) {
            let samples = g0..<min(n, g0 + group)
            // Per sample (independent): the columns for dW, and dx += col2im(Wᵀ · dY).
            Parallel.forEachRange(samples.count) { range in
              let dcol = dx == nil ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * hw)
              defer { dcol?.deallocate() }
              for i in range {
                let s = g0 + i
                g.im2col(x + s * sampleSize, cols + i * k * hw)
                guard let dcol, let dx else { continue }
                GEMM.sgemm(transposeA: true, transposeB: false, m: k, n: hw, k: outC,
                           alpha: 1, a: w, lda: k, b: dy + s * outC * hw, ldb: hw, beta: 0, c: dcol, ldc: hw,
                           splittable: false)
                g.col2im(dcol, dx + s * sampleSize)
              }
            }
            // dW += dY · colᵀ (one full-width product per sample, in sample order) beside db += Σ dY.
            Parallel.forEach(2) { part in
              for s in samples {
                let d = dy + s * outC * hw
                if part == 0 {
                  GEMM.sgemm(transposeA: false, transposeB: true, m: outC, n: k, k: hw, alpha: 1, a: d, lda: hw,
                             b: cols + (s - g0) * k * hw, ldb: hw, beta: 1, c: gw, ldc: k, splittable: false)
                  continue
                }
                for o in 0..<outC {
                  var acc: Float = 0
                  let p = d + o * hw
                  for i in 0..<hw { acc += p[i] }
                  gb[o] += acc
                }
              }
            }
          }
        }
      }
    }
  }
}
