import SRTensor

/// A trainable 3x3 stride-1 "same" convolution with bias, on the inference kernels.
///
/// The batch runs as one image (`SideBySide`: samples side by side, a zero column between them):
/// - forward: the Winograd F(4x4, 3x3) kernel of inference (`Conv3x3Kernel`, weights transformed
///   for the call), the activation fused into its output pass;
/// - input gradient: the same kernel with the adjoint weights (`W[o, i]` flipped, in and out
///   swapped) on the gradient;
/// - weight gradient: ONE product over the whole batch, `dW += dY · colᵀ` with `col` the im2col
///   matrix of the wide input, taken in row bands so the columns stay under `columnBudgetBytes`;
///   bias gradient: per channel sums in sample order.
/// Every sum has a fixed order for a given thread count (the products split the output only), so
/// checkpoints are bit-identical for the same recipe, seed, threads and instruction set.
final class Conv: @unchecked Sendable {
  let weight: Parameter
  let bias: Parameter
  let inC, outC: Int
  let kernel = 3

  /// Bytes of im2col columns the weight gradient keeps at once.
  static let columnBudgetBytes = 32 << 20

  init(_ name: String, in inC: Int, out outC: Int) {
    self.inC = inC; self.outC = outC
    weight = Parameter(name + ".weight", shape: [outC, inC, 3, 3])
    bias = Parameter(name + ".bias", shape: [outC])
  }

  var parameters: [Parameter] { [weight, bias] }
  var macsPerPixel: Int { inC * outC * 9 }

  /// `activation(conv(x[:, :inC]) + b)`; `x` may carry more channels than the conv reads (dense blocks).
  func forward(_ x: FeatureBatch, activation: Activation = .none) -> FeatureBatch {
    precondition(x.c >= inC, "Conv: input has \(x.c) channels, conv reads \(inC)")
    let layout = SideBySide(x)
    let prepared = Conv3x3Kernel(weight: Tensor(shape: weight.shape, data: weight.value),
                                 bias: Tensor(shape: [outC], data: bias.value))
    let wide = prepared(layout.pack(x, channels: inC), activation: activation)
    var y = FeatureBatch(n: x.n, c: outC, h: x.h, w: x.w)
    layout.unpack(wide, into: &y)
    return y
  }

  /// Accumulates parameter gradients for `dy` and, if `dx` is given, adds the input gradient
  /// into its first `inC` channels (`dx` has the shape of the forward input).
  func backward(input x: FeatureBatch, dy: FeatureBatch, dx: inout FeatureBatch?) {
    precondition(dy.n == x.n && dy.c == outC && dy.h == x.h && dy.w == x.w, "Conv.backward: dy shape")
    let layout = SideBySide(x)
    let dyWide = layout.pack(dy, channels: outC)
    accumulateBiasGradient(dy)
    accumulateWeightGradient(input: layout.pack(x, channels: inC), dyWide: dyWide, layout: layout)
    if dx != nil {
      let adjoint = Conv3x3Kernel(weight: Tensor(shape: [inC, outC, 3, 3], data: adjointWeights()), bias: nil)
      layout.unpack(adjoint(dyWide), into: &dx!, accumulate: true)
    }
  }

  /// `W[o, i, ky, kx]` as `[i, o, 2 − ky, 2 − kx]`: the convolution whose output is the input gradient.
  private func adjointWeights() -> [Float] {
    var t = [Float](repeating: 0, count: weight.value.count)
    weight.value.withUnsafeBufferPointer { w in
      for o in 0..<outC {
        for i in 0..<inC {
          for k in 0..<9 { t[(i * outC + o) * 9 + 8 - k] = w[(o * inC + i) * 9 + k] }
        }
      }
    }
    return t
  }

  private func accumulateBiasGradient(_ dy: FeatureBatch) {
    let plane = dy.plane
    dy.data.withUnsafeBufferPointer { d in
      for o in 0..<outC {
        var acc: Float = 0
        for s in 0..<dy.n {
          let p = d.baseAddress! + (s * outC + o) * plane
          for i in 0..<plane { acc += p[i] }
        }
        bias.grad[o] += acc
      }
    }
  }

  /// `dW += dY · colᵀ` over the wide map, in bands of rows (separator columns of `dY` are zero).
  private func accumulateWeightGradient(input: Tensor, dyWide: Tensor, layout: SideBySide) {
    let columns = ConvColumns(inChannels: inC, height: layout.h, width: layout.width, outChannels: outC,
                              kernel: 3, padding: 1)
    let k = columns.k, width = layout.width
    let band = max(1, min(layout.h, Self.columnBudgetBytes / (4 * k * width)))
    let col = UnsafeMutablePointer<Float>.allocate(capacity: band * width * k)
    defer { col.deallocate() }
    input.data.withUnsafeBufferPointer { xp in
      dyWide.data.withUnsafeBufferPointer { dp in
        weight.grad.withUnsafeMutableBufferPointer { gw in
          for y0 in stride(from: 0, to: layout.h, by: band) {
            let rows = y0..<min(layout.h, y0 + band)
            columns.im2col(xp.baseAddress!, rows: rows, col)
            GEMM.sgemm(transposeA: false, transposeB: true, m: outC, n: k, k: rows.count * width, alpha: 1,
                       a: dp.baseAddress! + y0 * width, lda: layout.plane, b: col, ldb: rows.count * width,
                       beta: 1, c: gw.baseAddress!, ldc: k)
          }
        }
      }
    }
  }
}
