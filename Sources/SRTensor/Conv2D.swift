
extension Ops {
  /// Upper bound on the im2col column buffer of one `conv2d` call, in bytes. Output rows are
  /// processed in chunks so that `[in*kh*kw, rows*outW]` floats stay below it (at least one row).
  static let im2colBudgetBytes = 8 << 20

  /// 2-D convolution (PyTorch cross-correlation) with zero padding: `y = conv(x, w) + b`.
  /// - Parameters:
  ///   - x: input, CHW `[in, H, W]`.
  ///   - weight: OIHW `[out, in, kh, kw]`.
  ///   - bias: `[out]`, or `nil` for none.
  ///   - stride: step in both axes (default 1).
  ///   - padding: zeros added on every side (default 1).
  /// - Returns: `[out, (H + 2p - kh)/stride + 1, (W + 2p - kw)/stride + 1]`.
  public static func conv2d(
    _ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 1
  ) -> Tensor {
    conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, activation: .none)
  }

  /// `conv2d` followed by `activation`, with bias and activation fused into the GEMM output pass.
  /// - Parameters: as `conv2d(_:weight:bias:stride:padding:)`; `activation` is applied last.
  /// - Returns: `activation(conv(x, w) + b)`, CHW.
  public static func conv2d(
    _ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 1,
    activation: Activation
  ) -> Tensor {
    conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding,
           activation: activation, columnBudgetBytes: im2colBudgetBytes)
  }

  /// `conv2d` with an explicit im2col buffer bound (tests use a tiny one to force many chunks).
  static func conv2d(
    _ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int,
    activation: Activation, columnBudgetBytes: Int
  ) -> Tensor {
    let g = ConvGeometry(x, weight: weight, bias: bias, stride: stride, padding: padding)
    let total = g.outChannels * g.outPlane
    let data = [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
      if let out = buffer.baseAddress {
        x.data.withUnsafeBufferPointer { xp in
          weight.data.withUnsafeBufferPointer { wp in
            guard let xb = xp.baseAddress, let wb = wp.baseAddress else { return }
            runConv(g, x: xb, w: wb, bias: bias?.data, activation: activation,
                    budget: columnBudgetBytes, out: out)
          }
        }
      }
      initialized = total
    }
    return Tensor(shape: [g.outChannels, g.outH, g.outW], data: data)
  }

  /// Runs the chunked im2col + SGEMM loop for geometry `g` into `out` (`[out, outH*outW]`).
  ///
  /// Loop order: for each chunk of output rows: im2col (parallel over input channel x kernel
  /// row), one SGEMM `W[out, K] x col[K, rows*outW]` written straight into the output rows
  /// (ldc = outH*outW), then bias + activation over the chunk (parallel over output channels).
  private static func runConv(
    _ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: [Float]?,
    activation: Activation, budget: Int, out: UnsafeMutablePointer<Float>
  ) {
    if g.isPointwise {
      sgemm(g, w: w, b: x, n: g.outPlane, c: out)
      epilogue(g, out: out, columns: g.outPlane, bias: bias, activation: activation)
      return
    }
    let rowFloats = g.k * g.outW
    let rowsPerChunk = max(1, min(g.outH, budget / 4 / max(1, rowFloats)))
    let col = UnsafeMutablePointer<Float>.allocate(capacity: rowFloats * rowsPerChunk)
    defer { col.deallocate() }
    var y0 = 0
    while y0 < g.outH {
      let rows = min(rowsPerChunk, g.outH - y0)
      im2col(g, x: x, y0: y0, rows: rows, col: col)
      let c = out + y0 * g.outW
      sgemm(g, w: w, b: col, n: rows * g.outW, c: c)
      epilogue(g, out: c, columns: rows * g.outW, bias: bias, activation: activation)
      y0 += rows
    }
  }

  /// `C[out, n] = W[out, K] x B[K, n]`, with C rows `outH*outW` apart.
  private static func sgemm(
    _ g: ConvGeometry, w: UnsafePointer<Float>, b: UnsafePointer<Float>, n: Int,
    c: UnsafeMutablePointer<Float>
  ) {
    GEMM.sgemm(transposeA: false, transposeB: false, m: g.outChannels, n: n, k: g.k,
               alpha: 1, a: w, lda: g.k, b: b, ldb: n, beta: 0, c: c, ldc: g.outPlane)
  }

  /// Adds the bias and applies the activation to `columns` values of every output channel.
  private static func epilogue(
    _ g: ConvGeometry, out: UnsafeMutablePointer<Float>, columns: Int, bias: [Float]?,
    activation: Activation
  ) {
    if bias == nil && activation == .none { return }
    let plane = g.outPlane
    let apply = { (bias: UnsafePointer<Float>?) in
      Parallel.forEach(g.outChannels) { m in
        let p = out + m * plane
        if let bias {
          let b = bias[m]
          for i in 0..<columns { p[i] += b }
        }
        Elementwise.activate(p, columns, activation)
      }
    }
    if let bias {
      bias.withUnsafeBufferPointer { apply($0.baseAddress) }
    } else {
      apply(nil)
    }
  }
}
