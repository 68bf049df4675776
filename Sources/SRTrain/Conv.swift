import SRTensor

/// A trainable 3x3 (k x k, stride 1, "same" padding) convolution with bias.
///
/// Forward per sample: im2col + one SGEMM. Backward per sample, in sample order so the
/// accumulation order is fixed: `dW += dY · colᵀ`, `db += Σ dY`, `dcol = Wᵀ · dY`, `dx += col2im(dcol)`.
final class Conv: @unchecked Sendable {
  let weight: Parameter
  let bias: Parameter
  let inC, outC, kernel: Int

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
    let hw = x.plane, k = g.k
    let col = UnsafeMutablePointer<Float>.allocate(capacity: k * hw)
    defer { col.deallocate() }
    x.data.withUnsafeBufferPointer { xp in
      weight.value.withUnsafeBufferPointer { wp in
        bias.value.withUnsafeBufferPointer { bp in
          y.data.withUnsafeMutableBufferPointer { yp in
            for s in 0..<x.n {
              g.im2col(xp.baseAddress! + s * x.sampleSize, col)
              let out = yp.baseAddress! + s * outC * hw
              GEMM.sgemm(transposeA: false, transposeB: false, m: outC, n: hw, k: k,
                         alpha: 1, a: wp.baseAddress!, lda: k, b: col, ldb: hw, beta: 0, c: out, ldc: hw)
              for o in 0..<outC {
                let b = bp[o], p = out + o * hw
                for i in 0..<hw { p[i] += b }
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
    let g = columns(x)
    precondition(dy.n == x.n && dy.c == outC && dy.h == x.h && dy.w == x.w, "Conv.backward: dy shape")
    let hw = x.plane, k = g.k
    let col = UnsafeMutablePointer<Float>.allocate(capacity: k * hw)
    defer { col.deallocate() }
    x.data.withUnsafeBufferPointer { xp in
      dy.data.withUnsafeBufferPointer { dyp in
        weight.value.withUnsafeBufferPointer { wp in
          weight.grad.withUnsafeMutableBufferPointer { gw in
            bias.grad.withUnsafeMutableBufferPointer { gb in
              for s in 0..<x.n {
                let d = dyp.baseAddress! + s * outC * hw
                g.im2col(xp.baseAddress! + s * x.sampleSize, col)
                GEMM.sgemm(transposeA: false, transposeB: true, m: outC, n: k, k: hw,
                           alpha: 1, a: d, lda: hw, b: col, ldb: hw, beta: 1, c: gw.baseAddress!, ldc: k)
                for o in 0..<outC {
                  var acc: Float = 0
                  let p = d + o * hw
                  for i in 0..<hw { acc += p[i] }
                  gb[o] += acc
                }
                guard dx != nil else { continue }
                GEMM.sgemm(transposeA: true, transposeB: false, m: k, n: hw, k: outC,
                           alpha: 1, a: wp.baseAddress!, lda: k, b: d, ldb: hw, beta: 0, c: col, ldc: hw)
                dx!.data.withUnsafeMutableBufferPointer { dxp in
                  g.col2im(col, dxp.baseAddress! + s * x.sampleSize)
                }
              }
            }
          }
        }
      }
    }
  }
}
