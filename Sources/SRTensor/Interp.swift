/// ncnn's `Interp` layer with a uniform scale factor: nearest (resize_type 1), bilinear (2) or
/// bicubic (3), with ncnn's exact size and coordinate arithmetic.
///
/// The realesr-animevideov3 `-x2` / `-x3` exports end with a bicubic `Interp` of 0.5 / 0.75 after
/// an x4 SRVGGNetCompact; this type runs that tail. Semantics (written from ncnn's `interp.cpp` and
/// `x86/interp_bicubic.h`, `interp_bilinear.h`), per axis with `n` inputs:
/// - output size `Int(Float(n) * factor)` (float product, truncated), no op when it equals `n`;
/// - source coordinate `Float((d + 0.5) * s - 0.5)` with `s = Double(n) / Double(out)`
///   (align_corner: `Float(d * s)`, `s = Double(n - 1) / Double(out - 1)`), `i = floor`, `t = coord - i`;
/// - bicubic: Keys' kernel with A = -0.75 on taps `i-1 … i+2` (see `cubicWeights` for the rounding),
///   the fourth weight `1 - w0 - w1 - w2`;
///   at the borders the taps are shifted to `1 … n-3` and the weights of clamped taps merged
///   (ncnn's `cubic_coeffs`); horizontal pass first, then vertical;
/// - bilinear: taps `i, i+1` with weights `1 - t, t`; `i < 0` gives `(0, t = 0)`, `i >= n - 1`
///   gives `(n - 2, t = 1)` (ncnn's `linear_coeffs`);
/// - nearest: `min(Int(Float(d) * (1 / factor)), n - 1)`.
/// Sums are accumulated as ncnn's SIMD paths do: `p = x0·w0`, then fused `p += x_k·w_k`.
public struct InterpResize: Sendable, Equatable, CustomStringConvertible {
  /// ncnn `resize_type` (param 0).
  public enum Mode: Int, Sendable, CaseIterable {
    case nearest = 1, bilinear = 2, bicubic = 3

    /// The lower-case name used in descriptions and metadata.
    public var name: String {
      switch self {
      case .nearest: "nearest"
      case .bilinear: "bilinear"
      case .bicubic: "bicubic"
      }
    }
  }

  /// The interpolation kernel.
  public var mode: Mode
  /// The factor for both height and width (ncnn params 1 and 2); finite and > 0.
  public var factor: Float
  /// ncnn param 6: map corner pixel centres onto each other (bilinear and bicubic only).
  public var alignCorner: Bool

  /// Creates a resize; `factor` must be finite and positive.
  public init(mode: Mode, factor: Float, alignCorner: Bool = false) {
    precondition(factor.isFinite && factor > 0, "InterpResize: factor \(factor)")
    self.mode = mode
    self.factor = factor
    self.alignCorner = alignCorner
  }

  /// `bicubic ×0.5`, with `, align_corner` when set.
  public var description: String {
    "\(mode.name) ×\(factor)" + (alignCorner ? ", align_corner" : "")
  }

  /// The value stored under the `post_resize` metadata key: `bicubic 0.5` or `bicubic 0.5 align_corner`.
  public var metadataValue: String {
    "\(mode.name) \(factor)" + (alignCorner ? " align_corner" : "")
  }

  /// Parses `metadataValue`; nil when the text is not `<nearest|bilinear|bicubic> <factor>[ align_corner]`
  /// with a finite positive factor.
  public init?(metadataValue text: String) {
    let parts = text.split(separator: " ").map(String.init)
    guard parts.count == 2 || (parts.count == 3 && parts[2] == "align_corner"),
          let mode = Mode.allCases.first(where: { $0.name == parts[0] }),
          let factor = Float(parts[1]), factor.isFinite, factor > 0 else { return nil }
    self.init(mode: mode, factor: factor, alignCorner: parts.count == 3)
  }

  /// Output length for `n` inputs, as ncnn computes it: `static_cast<int>(n * scale)` in float.
  public func outputSize(_ n: Int) -> Int {
    let product = Float(n) * factor
    precondition(product < Float(Int32.max), "InterpResize: output of \(n) ×\(factor) is too large")
    return Int(product)
  }

  /// Resizes CHW `x` to `[C, outputSize(H), outputSize(W)]`; returns `x` itself when the size
  /// does not change (as ncnn does).
  public func callAsFunction(_ x: Tensor) -> Tensor {
    requireCHW(x, "InterpResize")
    let h = x.height, w = x.width, oh = outputSize(h), ow = outputSize(w)
    precondition(oh > 0 && ow > 0, "InterpResize: \(h)x\(w) ×\(factor) is empty")
    if oh == h && ow == w { return x }
    switch mode {
    case .nearest: return nearest(x, outH: oh, outW: ow)
    case .bilinear:
      return separable(x, outH: oh, outW: ow, taps: 2) { Self.linearTaps(inCount: $0, outCount: $1, alignCorner: $2) }
    case .bicubic:
      return separable(x, outH: oh, outW: ow, taps: 4) { Self.cubicTaps(inCount: $0, outCount: $1, alignCorner: $2) }
    }
  }

  private func nearest(_ x: Tensor, outH oh: Int, outW ow: Int) -> Tensor {
    let h = x.height, w = x.width
    let inverse = 1 / factor  // ncnn: 1.f / height_scale, then (int)(y * hs)
    let ys = (0..<oh).map { min(Int(Float($0) * inverse), h - 1) }
    let xs = (0..<ow).map { min(Int(Float($0) * inverse), w - 1) }
    return Ops.mapPlanes(x, outH: oh, outW: ow) { src, dst in
      for oy in 0..<oh {
        let s = src + ys[oy] * w, d = dst + oy * ow
        for ox in 0..<ow { d[ox] = s[xs[ox]] }
      }
    }
  }

  /// Source index of each output's first tap and `taps` weights per output (ncnn's xofs / alpha).
  struct Taps {
    var first: [Int]
    var weights: [Float]
  }

  /// Horizontal pass over every source row into `[H, outW]`, then the vertical pass.
  private func separable(_ x: Tensor, outH oh: Int, outW ow: Int, taps k: Int,
                         _ makeTaps: (Int, Int, Bool) -> Taps) -> Tensor {
    let h = x.height, w = x.width
    let tx = makeTaps(w, ow, alignCorner), ty = makeTaps(h, oh, alignCorner)
    return Ops.mapPlanes(x, outH: oh, outW: ow) { src, dst in
      let rows = UnsafeMutablePointer<Float>.allocate(capacity: h * ow)
      defer { rows.deallocate() }
      for sy in 0..<h {
        Self.combine(src + sy * w, count: w, taps: tx, k: k, into: rows + sy * ow, outCount: ow)
      }
      for oy in 0..<oh {
        let d = dst + oy * ow, f = ty.first[oy]
        let r0 = rows + Self.clamp(f, h) * ow, w0 = ty.weights[oy * k]
        for dx in 0..<ow { d[dx] = r0[dx] * w0 }
        for j in 1..<k {
          let rj = rows + Self.clamp(f + j, h) * ow, wj = ty.weights[oy * k + j]
          for dx in 0..<ow { d[dx] = d[dx].addingProduct(rj[dx], wj) }
        }
      }
    }
  }

  /// One row: `out[d] = Σ_j src[first[d] + j] · weight[d, j]` (fused after the first product).
  private static func combine(_ src: UnsafePointer<Float>, count n: Int, taps: Taps, k: Int,
                              into out: UnsafeMutablePointer<Float>, outCount: Int) {
    for d in 0..<outCount {
      let f = taps.first[d]
      var p = src[clamp(f, n)] * taps.weights[d * k]
      for j in 1..<k { p = p.addingProduct(src[clamp(f + j, n)], taps.weights[d * k + j]) }
      out[d] = p
    }
  }

  /// ncnn reads taps `sx-1 … sx+2` with `sx` in `1 … n-3`, inside the row when `n >= 4`;
  /// shorter rows (which ncnn would read out of bounds) repeat the edge value.
  @inline(__always) static func clamp(_ i: Int, _ n: Int) -> Int { min(max(i, 0), n - 1) }

  /// The source coordinate of output `d` as ncnn computes it (float, from a double scale).
  static func sourceCoordinate(_ d: Int, inCount n: Int, outCount out: Int, alignCorner: Bool) -> Float {
    if alignCorner {
      // ncnn divides by out - 1; a single output would be 0/0 there, it takes the first input here.
      let scale = out > 1 ? Double(n - 1) / Double(out - 1) : 0
      return Float(Double(d) * scale)
    }
    let scale = Double(n) / Double(out)
    return Float((Double(d) + 0.5) * scale - 0.5)
  }

  /// ncnn's `linear_coeffs`: first tap `sx` (then `sx + 1`) and weights `(1 - fx, fx)`.
  static func linearTaps(inCount n: Int, outCount out: Int, alignCorner: Bool) -> Taps {
    var taps = Taps(first: [], weights: [])
    for d in 0..<out {
      var fx = sourceCoordinate(d, inCount: n, outCount: out, alignCorner: alignCorner)
      var sx = Int(fx.rounded(.down))
      fx -= Float(sx)
      if sx < 0 { sx = 0; fx = 0 }
      if sx >= n - 1 { sx = n - 2; fx = 1 }
      taps.first.append(sx)
      taps.weights += [1 - fx, fx]
    }
    return taps
  }

  /// ncnn's `interpolate_cubic` (A = -0.75) for the fraction `fx` of taps `i-1, i, i+1, i+2`; the
  /// fourth weight is `1 - w0 - w1 - w2` in float, as in ncnn.
  ///
  /// The first three are evaluated in Double and rounded once. ncnn writes them in float, where the
  /// outer-tap polynomial cancels badly (terms near 12 summing to 0.017 at fx = 0.83), and the PyPI
  /// wheel's compiled rounding of it cannot be reproduced from the source text (its weights differ
  /// from a float32 evaluation of that text by up to 1.6e-6); Double keeps us within ~1e-6 of it.
  static func cubicWeights(_ fx: Float) -> [Float] {
    let a = -0.75, t = Double(fx)
    let t0 = t + 1, t2 = 1 - t
    let w0 = Float(((a * t0 - 5 * a) * t0 + 8 * a) * t0 - 4 * a)
    let w1 = Float(((a + 2) * t - (a + 3)) * t * t + 1)
    let w2 = Float(((a + 2) * t2 - (a + 3)) * t2 * t2 + 1)
    return [w0, w1, w2, 1 - w0 - w1 - w2]
  }

  /// ncnn's `cubic_coeffs`: the centre tap `sx` moved into `1 … n-3` with the weights of taps that
  /// fall outside `0 … n-1` merged into the edge tap. Returns the first tap (`sx - 1`).
  /// The four border rules are applied one after another, as ncnn does.
  static func cubicTaps(inCount n: Int, outCount out: Int, alignCorner: Bool) -> Taps {
    var taps = Taps(first: [], weights: [])
    for d in 0..<out {
      var fx = sourceCoordinate(d, inCount: n, outCount: out, alignCorner: alignCorner)
      var sx = Int(fx.rounded(.down))
      fx -= Float(sx)
      var a = cubicWeights(fx)
      if sx <= -1 {
        sx = 1
        a = [1 - a[3], a[3], 0, 0]
      }
      if sx == 0 {
        sx = 1
        a = [a[0] + a[1], a[2], a[3], 0]
      }
      if sx == n - 2 {
        sx = n - 3
        a = [0, a[0], a[1], a[2] + a[3]]
      }
      if sx >= n - 1 {
        sx = n - 3
        a = [0, 0, a[0], 1 - a[0]]
      }
      taps.first.append(sx - 1)
      taps.weights += a
    }
    return taps
  }
}

extension InterpResize {
  /// The checkpoint metadata key under which a post-network resize is stored (`metadataValue`):
  /// written for ncnn graphs that end with an `Interp`, kept by `convert`, honoured by SRModels.
  public static let metadataKey = "post_resize"
}
