import SRTensor

/// MATLAB-compatible image resizing (BasicSR `basicsr/utils/matlab_functions.py::imresize`).
public enum Resize {
  /// MATLAB-style antialiased bicubic resize of every channel of a CHW tensor (SR-SPEC §3.4).
  ///
  /// Separable, first along H then along W, each output size `ceil(in * scale)`. No clamping and
  /// no rounding: the caller clamps to [0, 1] and quantises for 8-bit output.
  /// - Parameters:
  ///   - x: `[C, H, W]` tensor (any value range).
  ///   - scale: resize factor (< 1 shrinks, with the kernel stretched by 1/scale).
  /// - Returns: `[C, ceil(H * scale), ceil(W * scale)]`.
  /// - Precondition: `x` is rank 3 with H, W ≥ 1 and `scale > 0`.
  public static func bicubic(_ x: Tensor, scale: Double) -> Tensor {
    precondition(scale > 0 && scale.isFinite, "Resize.bicubic: scale \(scale) must be > 0")
    precondition(x.rank == 3 && x.height > 0 && x.width > 0,
                 "Resize.bicubic: expected non-empty [C, H, W], got \(x.shapeDescription)")
    let outH = Int((Double(x.height) * scale).rounded(.up))
    let outW = Int((Double(x.width) * scale).rounded(.up))
    return resize(x, rows: BicubicTaps(inLength: x.height, outLength: outH, scale: scale),
                  columns: BicubicTaps(inLength: x.width, outLength: outW, scale: scale))
  }

  /// MATLAB-style bicubic resize to an explicit size; each axis uses scale = out / in.
  /// - Parameters:
  ///   - x: `[C, H, W]` tensor.
  ///   - outHeight: output height (≥ 1).
  ///   - outWidth: output width (≥ 1).
  /// - Returns: `[C, outHeight, outWidth]`.
  public static func bicubic(_ x: Tensor, outHeight: Int, outWidth: Int) -> Tensor {
    precondition(x.rank == 3 && x.height > 0 && x.width > 0,
                 "Resize.bicubic: expected non-empty [C, H, W], got \(x.shapeDescription)")
    precondition(outHeight >= 1 && outWidth >= 1, "Resize.bicubic: empty output size")
    let sh = Double(outHeight) / Double(x.height), sw = Double(outWidth) / Double(x.width)
    return resize(x, rows: BicubicTaps(inLength: x.height, outLength: outHeight, scale: sh),
                  columns: BicubicTaps(inLength: x.width, outLength: outWidth, scale: sw))
  }

  /// Applies row taps (H pass) and then column taps (W pass).
  private static func resize(_ x: Tensor, rows: BicubicTaps, columns: BicubicTaps) -> Tensor {
    let c = x.channels, h = x.height, w = x.width
    let oh = rows.outLength, ow = columns.outLength
    var mid = [Float](repeating: 0, count: c * oh * w)
    x.data.withUnsafeBufferPointer { src in
      mid.withUnsafeMutableBufferPointer { dst in
        // One output row per item: dst row = sum_t weight * src row(index_t), vectorised over W.
        Parallel.forEach(c * oh) { item in
          let ch = item / oh, i = item % oh
          let out = dst.baseAddress! + item * w
          for t in 0..<rows.taps {
            let wt = rows.weight[i * rows.taps + t]
            let row = src.baseAddress! + (ch * h + rows.index[i * rows.taps + t]) * w
            for j in 0..<w { out[j] += wt * row[j] }
          }
        }
      }
    }
    var result = [Float](repeating: 0, count: c * oh * ow)
    mid.withUnsafeBufferPointer { src in
      result.withUnsafeMutableBufferPointer { dst in
        Parallel.forEach(c * oh) { item in
          let row = src.baseAddress! + item * w
          let out = dst.baseAddress! + item * ow
          for j in 0..<ow {
            var acc: Float = 0
            for t in 0..<columns.taps {
              acc += columns.weight[j * columns.taps + t] * row[columns.index[j * columns.taps + t]]
            }
            out[j] = acc
          }
        }
      }
    }
    return Tensor(shape: [c, oh, ow], data: result)
  }
}

/// Per-output tap indices (0-based, already reflected) and weights along one axis, following
/// BasicSR `calculate_weights_indices` including its edge-column dropping.
struct BicubicTaps {
  /// Output length along this axis.
  let outLength: Int
  /// Taps per output sample.
  let taps: Int
  /// `outLength * taps` input indices in `0..<inLength`.
  var index: [Int]
  /// `outLength * taps` weights; each output's weights sum to 1.
  var weight: [Float]

  /// Keys cubic kernel with a = -0.5.
  static func cubic(_ x: Double) -> Double {
    let a = abs(x), a2 = a * a, a3 = a2 * a
    if a <= 1 { return 1.5 * a3 - 2.5 * a2 + 1 }
    if a <= 2 { return -0.5 * a3 + 2.5 * a2 - 4 * a + 2 }
    return 0
  }

  /// Half-sample symmetric reflection (edge repeated), iterated for taps beyond one mirror.
  static func reflect(_ i: Int, _ n: Int) -> Int {
    let period = 2 * n
    let m = ((i % period) + period) % period
    return m < n ? m : period - 1 - m
  }

  /// Builds the taps for resizing `inLength` samples to `outLength` with factor `scale`.
  init(inLength: Int, outLength: Int, scale: Double) {
    let antialias = scale < 1
    let width = antialias ? 4 / scale : 4
    let p = Int(width.rounded(.up)) + 2
    var w = [Double](repeating: 0, count: outLength * p)
    var left = [Int](repeating: 0, count: outLength)
    for k in 0..<outLength {
      let u = Double(k + 1) / scale + 0.5 * (1 - 1 / scale)
      left[k] = Int((u - width / 2).rounded(.down))
      var sum = 0.0
      for j in 0..<p {
        let d = u - Double(left[k] + j)
        let v = antialias ? scale * Self.cubic(d * scale) : Self.cubic(d)
        w[k * p + j] = v
        sum += v
      }
      for j in 0..<p { w[k * p + j] /= sum }
    }
    // BasicSR: if any row has a zero in the first column, keep columns 1...p-2 (torch
    // `narrow(1, 1, p - 2)`, which also drops the last); otherwise, if any row has a zero in
    // the last column, keep 0...p-3. The dropped columns are zero in exact arithmetic.
    let firstZero = (0..<outLength).contains { w[$0 * p] == 0 }
    let lastZero = (0..<outLength).contains { w[$0 * p + p - 1] == 0 }
    let start = firstZero ? 1 : 0
    let count = firstZero || lastZero ? p - 2 : p
    self.outLength = outLength
    taps = count
    index = []; weight = []
    index.reserveCapacity(outLength * count); weight.reserveCapacity(outLength * count)
    for k in 0..<outLength {
      for j in start..<start + count {
        // left is 1-based, so the 0-based input index is left + j - 1.
        index.append(Self.reflect(left[k] + j - 1, inLength))
        weight.append(Float(w[k * p + j]))
      }
    }
  }
}
