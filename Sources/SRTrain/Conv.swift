import SRModels
import SRTensor

/// The training passes of a 3x3 stride-1 "same" convolution (`ConvLayer`, the layer inference
/// runs too), on the inference kernels.
///
/// The batch runs as one image (`SideBySide`: samples side by side, a zero column between them):
/// - forward: the Winograd F(4x4, 3x3) kernel of inference (`Conv3x3Kernel`, weights transformed
///   for the call), the activation fused into its output pass;
/// - input gradient: the same kernel with the adjoint weights (`W[o, i]` flipped, in and out
///   swapped) on the gradient;
/// - weight and bias gradients: oneDNN's fp32 backward-weights (`OneDNNConvolutions`; it ran the
///   study's layers at 77-264 GFLOP/s against 15-88 for the tap products), over a fixed cut of
///   the batch whose partial sums are added in order; where oneDNN cannot run the shape, one
///   product per kernel tap over the whole batch (`accumulateWeightGradient`) and per channel
///   sums in sample order.
/// Every sum has a fixed order whatever the thread count (the products split the output only;
/// oneDNN's slices are the same on any thread count), so checkpoints are bit-identical for the
/// same recipe, seed and instruction set, on 1 or 2 threads.
///
/// With `precision: .bf16` the three passes run oneDNN's bf16 kernels (`OneDNNConvolutions`: bf16
/// products, fp32 accumulation, fp32 outputs and gradients) on the NCHW batch; a shape oneDNN
/// cannot run falls back to the fp32 path.
typealias Conv = ConvLayer

extension ConvLayer {
  /// `activation(conv(x[:, :inC]) + b)`; `x` may carry more channels than the conv reads (dense blocks).
  func forward(_ x: FeatureBatch, activation: Activation = .none, precision: ConvPrecision = .fp32) -> FeatureBatch {
    precondition(x.c >= inC, "Conv: input has \(x.c) channels, conv reads \(inC)")
    if precision == .bf16, let conv = OneDNNConvolutions.convolution(self, n: x.n, h: x.h, w: x.w, activation: activation) {
      let input = x.c == inC ? x : Channels.read(x, at: 0, count: inC)
      return FeatureBatch(n: x.n, c: outC, h: x.h, w: x.w) { y in  // oneDNN writes every output value
        input.data.withUnsafeBufferPointer { xp in
          // The shape was made by oneDNN for exactly these buffers: a failure here is a broken library.
          do { try conv.forward(input: xp.baseAddress!, weight: weight.value, bias: bias.value, output: y) } catch {
            preconditionFailure("bf16 convolution forward: \(error)")
          }
        }
      }
    }
    let layout = SideBySide(x)
    let wide = preparedKernel(layout.pack(x, channels: inC), activation: activation)
    var y = FeatureBatch(n: x.n, c: outC, h: x.h, w: x.w)
    layout.unpack(wide, into: &y)
    return y
  }

  /// Accumulates parameter gradients for `dy` and, if `dx` is given, adds the input gradient
  /// into its first `inC` channels (`dx` has the shape of the forward input).
  func backward(input x: FeatureBatch, dy: FeatureBatch, dx: inout FeatureBatch?, precision: ConvPrecision = .fp32) {
    precondition(dy.n == x.n && dy.c == outC && dy.h == x.h && dy.w == x.w, "Conv.backward: dy shape")
    if precision == .bf16, let conv = OneDNNConvolutions.convolution(self, n: x.n, h: x.h, w: x.w, activation: .none) {
      return backwardOneDNN(conv, input: x, dy: dy, dx: &dx)
    }
    let layout = SideBySide(x)
    let oneDNN = OneDNNConvolutions.convolution(self, n: x.n, h: x.h, w: x.w, activation: .none, precision: .fp32)
    let dyWide = oneDNN != nil && dx == nil ? nil : layout.pack(dy, channels: outC)  // what the Winograd passes read
    if let oneDNN {
      accumulateParameterGradients(oneDNN, input: x, dy: dy)
    } else {
      accumulateBiasGradient(dy)
      accumulateWeightGradient(input: layout.pack(x, channels: inC), dyWide: dyWide!, layout: layout)
    }
    if dx != nil {
      let adjoint = Conv3x3Kernel(weight: Tensor(shape: [inC, outC, 3, 3], data: adjointWeights()), bias: nil)
      layout.unpack(adjoint(dyWide!), into: &dx!, accumulate: true)
    }
  }

  /// Accumulates parameter gradients for `dy` and returns the gradient with respect to `x`, whose
  /// channels must be exactly the `inC` the conv reads, in new storage (nothing to zero or add to:
  /// the tape's usual case).
  func backward(input x: FeatureBatch, dy: FeatureBatch, precision: ConvPrecision = .fp32) -> FeatureBatch {
    precondition(x.c == inC, "Conv.backward: input has \(x.c) channels, conv reads \(inC)")
    if precision == .bf16, let conv = OneDNNConvolutions.convolution(self, n: x.n, h: x.h, w: x.w, activation: .none) {
      accumulateParameterGradients(conv, input: x, dy: dy)
      return inputGradient(conv, dy: dy, n: x.n, h: x.h, w: x.w)
    }
    var dx: FeatureBatch? = x.zerosLike()
    backward(input: x, dy: dy, dx: &dx, precision: .fp32)
    return dx!
  }

  /// The backward passes through oneDNN (the input gradient only when `dx` is given): gradients
  /// computed, then added to `grad` and `dx`.
  private func backwardOneDNN(_ conv: DNNLConvolution, input x: FeatureBatch, dy: FeatureBatch, dx: inout FeatureBatch?) {
    accumulateParameterGradients(conv, input: x, dy: dy)
    guard dx != nil else { return }
    Channels.add(inputGradient(conv, dy: dy, n: x.n, h: x.h, w: x.w), into: &dx!, at: 0)
  }

  /// oneDNN's backward-data: the gradient with respect to the `inC` channels the conv reads.
  private func inputGradient(_ conv: DNNLConvolution, dy: FeatureBatch, n: Int, h: Int, w: Int) -> FeatureBatch {
    FeatureBatch(n: n, c: inC, h: h, w: w) { g in  // every value written by oneDNN
      do {
        try dy.data.withUnsafeBufferPointer { dp throws(DNNLError) in
          try conv.backwardData(outputGradient: dp.baseAddress!, weight: weight.value, inputGradient: g)
        }
      } catch {
        preconditionFailure("oneDNN convolution backward-data: \(error)")
      }
    }
  }

  /// Adds oneDNN's weight and bias gradients for `dy` to `grad` (`x`'s first `inC` channels are
  /// the input the conv read).
  private func accumulateParameterGradients(_ conv: DNNLConvolution, input x: FeatureBatch, dy: FeatureBatch) {
    let input = x.c == inC ? x : Channels.read(x, at: 0, count: inC)
    var gw = [Float](repeating: 0, count: weight.value.count), gb = [Float](repeating: 0, count: outC)
    do {
      try input.data.withUnsafeBufferPointer { xp throws(DNNLError) in
        try dy.data.withUnsafeBufferPointer { dp throws(DNNLError) in
          try conv.backwardWeights(input: xp.baseAddress!, outputGradient: dp.baseAddress!, weightGradient: &gw,
                                   biasGradient: &gb)
        }
      }
    } catch {
      preconditionFailure("oneDNN convolution backward-weights: \(error)")
    }
    for i in gw.indices { weight.grad[i] += gw[i] }
    for o in 0..<outC { bias.grad[o] += gb[o] }
  }

  /// `W[o, i, ky, kx]` as `[i, o, 2 − ky, 2 − kx]`: the convolution whose output is the input gradient.
  func adjointWeights() -> [Float] {
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

  /// `dW[:, :, ky, kx] += dY · shift(x, ky, kx)ᵀ`, nine products over the whole batch without
  /// im2col: the wide input and gradient are laid out with a zero border (`h + 2` rows of
  /// `width + 2`), so the input shifted by a tap is the same buffer read from another offset, and
  /// the zero border and separator columns of `dY` cancel every term that falls outside a sample.
  private func accumulateWeightGradient(input: Tensor, dyWide: Tensor, layout: SideBySide) {
    let (h, width) = (layout.h, layout.width)
    let pw = width + 2, padded = (h + 2) * pw
    // The gradient's rows start at the first interior pixel; its plane is read as `h * pw` values.
    let x = Self.bordered(input, height: h, width: width), d = Self.bordered(dyWide, height: h, width: width)
    let taps = UnsafeMutablePointer<Float>.allocate(capacity: 9 * outC * inC)
    defer { taps.deallocate() }
    x.withUnsafeBufferPointer { xp in
      d.withUnsafeBufferPointer { dp in
        for tap in 0..<9 {
          let (ky, kx) = (tap / 3, tap % 3)
          GEMM.sgemm(transposeA: false, transposeB: true, m: outC, n: inC, k: h * pw, alpha: 1,
                     a: dp.baseAddress! + pw + 1, lda: padded, b: xp.baseAddress! + ky * pw + kx, ldb: padded,
                     beta: 0, c: taps + tap * outC * inC, ldc: inC)
        }
      }
    }
    weight.grad.withUnsafeMutableBufferPointer { gw in
      for o in 0..<outC {
        for i in 0..<inC {
          for tap in 0..<9 { gw[(o * inC + i) * 9 + tap] += taps[(tap * outC + o) * inC + i] }
        }
      }
    }
  }

  /// `t` (`[c, height, width]`) with a zero border: `[c, height + 2, width + 2]`, plus one row of
  /// slack so a shifted read of the last plane stays inside the buffer.
  private static func bordered(_ t: Tensor, height: Int, width: Int) -> [Float] {
    let pw = width + 2, padded = (height + 2) * pw, channels = t.channels
    let total = channels * padded + pw
    return [Float](unsafeUninitializedCapacity: total) { out, initialized in
      t.data.withUnsafeBufferPointer { tp in
        let (src, dst) = (tp.baseAddress!, UncheckedSendable(out.baseAddress!))
        Parallel.forEach(channels) { c in
          let plane = dst.value + c * padded
          plane.update(repeating: 0, count: pw)
          for y in 0..<height {
            let row = plane + (y + 1) * pw
            row[0] = 0
            (row + 1).update(from: src + (c * height + y) * width, count: width)
            row[width + 1] = 0
          }
          (plane + (height + 1) * pw).update(repeating: 0, count: pw)
        }
        (out.baseAddress! + channels * padded).update(repeating: 0, count: pw)
      }
      initialized = total
    }
  }
}
