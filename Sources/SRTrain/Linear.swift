import SRModels
import SRTensor

/// A trainable fully connected layer (PyTorch `nn.Linear`): `y = x · Wᵀ + b` on `[n, in]` rows,
/// weight `[out, in]`, bias `[out]`. Each product is one whole OpenBLAS call (`splittable: false`),
/// so the bits do not depend on the thread count.
final class Linear: @unchecked Sendable {
  let weight, bias: Parameter
  let inFeatures, outFeatures: Int

  /// `name.weight` `[out, in]` and `name.bias` `[out]`.
  init(_ name: String, in inFeatures: Int, out outFeatures: Int) {
    self.inFeatures = inFeatures; self.outFeatures = outFeatures
    weight = Parameter(name + ".weight", shape: [outFeatures, inFeatures])
    bias = Parameter(name + ".bias", shape: [outFeatures])
  }

  var parameters: [Parameter] { [weight, bias] }

  /// `x` is read as `[x.n, c·h·w]` rows (PyTorch's `view(n, -1)` of NCHW); the result is `[n, out, 1, 1]`.
  func forward(_ x: FeatureBatch) -> FeatureBatch {
    precondition(x.sampleSize == inFeatures, "Linear: \(x.sampleSize) inputs per sample, expected \(inFeatures)")
    var y = FeatureBatch(n: x.n, c: outFeatures, h: 1, w: 1)
    for s in 0..<x.n { for o in 0..<outFeatures { y.data[s * outFeatures + o] = bias.value[o] } }
    x.data.withUnsafeBufferPointer { xp in
      weight.value.withUnsafeBufferPointer { wp in
        y.data.withUnsafeMutableBufferPointer { yp in
          GEMM.sgemm(transposeA: false, transposeB: true, m: x.n, n: outFeatures, k: inFeatures, alpha: 1,
                     a: xp.baseAddress!, lda: inFeatures, b: wp.baseAddress!, ldb: inFeatures, beta: 1,
                     c: yp.baseAddress!, ldc: outFeatures, splittable: false)
        }
      }
    }
    return y
  }

  /// Accumulates `dW += dYᵀ · x` and `db += Σ dY`; returns `dx = dY · W` in the shape of `x`
  /// when `needInput`.
  func backward(input x: FeatureBatch, dy: FeatureBatch, needInput: Bool) -> FeatureBatch? {
    precondition(dy.n == x.n && dy.sampleSize == outFeatures, "Linear.backward: dy shape")
    x.data.withUnsafeBufferPointer { xp in
      dy.data.withUnsafeBufferPointer { dyp in
        weight.grad.withUnsafeMutableBufferPointer { gw in
          GEMM.sgemm(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: x.n, alpha: 1,
                     a: dyp.baseAddress!, lda: outFeatures, b: xp.baseAddress!, ldb: inFeatures, beta: 1,
                     c: gw.baseAddress!, ldc: inFeatures, splittable: false)
        }
      }
    }
    for o in 0..<outFeatures {
      var acc: Float = 0
      for s in 0..<x.n { acc += dy.data[s * outFeatures + o] }
      bias.grad[o] += acc
    }
    guard needInput else { return nil }
    var dx = x.zerosLike()
    dy.data.withUnsafeBufferPointer { dyp in
      weight.value.withUnsafeBufferPointer { wp in
        dx.data.withUnsafeMutableBufferPointer { dxp in
          GEMM.sgemm(transposeA: false, transposeB: false, m: x.n, n: inFeatures, k: outFeatures, alpha: 1,
                     a: dyp.baseAddress!, lda: outFeatures, b: wp.baseAddress!, ldb: inFeatures, beta: 0,
                     c: dxp.baseAddress!, ldc: inFeatures, splittable: false)
        }
      }
    }
    return dx
  }
}
