import SRTestSupport
import Testing

@testable import SRTensor

/// One oneDNN convolution case: batch shape, kernel, stride, padding.
struct DNNLCase: CustomTestStringConvertible, Sendable {
  let n, cin, h, w, cout, k, s, p: Int
  var activation: Activation = .none

  var geometry: DNNLConvolution.Geometry {
    DNNLConvolution.Geometry(batch: n, inChannels: cin, outChannels: cout, height: h, width: w,
                             kernel: k, stride: s, padding: p)
  }
  var testDescription: String { "\(geometry) \(activation)" }
}

/// Naive Double NCHW convolution passes (forward, input gradient, weight and bias gradients),
/// written from the formula, sharing nothing with oneDNN or SRTensor.
enum BatchReference {
  static func forward(_ c: DNNLCase, x: [Float], w: [Float], b: [Float]) -> [Double] {
    let (oh, ow) = (c.geometry.outHeight, c.geometry.outWidth)
    var y = [Double](repeating: 0, count: c.n * c.cout * oh * ow)
    for n in 0..<c.n {
      for o in 0..<c.cout {
        for oy in 0..<oh {
          for ox in 0..<ow {
            var sum = Double(b[o])
            for i in 0..<c.cin {
              for ky in 0..<c.k {
                for kx in 0..<c.k {
                  let iy = oy * c.s - c.p + ky, ix = ox * c.s - c.p + kx
                  guard iy >= 0, iy < c.h, ix >= 0, ix < c.w else { continue }
                  sum += Double(x[((n * c.cin + i) * c.h + iy) * c.w + ix]) * Double(w[((o * c.cin + i) * c.k + ky) * c.k + kx])
                }
              }
            }
            y[((n * c.cout + o) * oh + oy) * ow + ox] = Reference.activate(sum, c.activation)
          }
        }
      }
    }
    return y
  }

  /// `dx[n, i, iy, ix] = sum dy[n, o, oy, ox] * w[o, i, ky, kx]` over the windows that read it.
  static func backwardData(_ c: DNNLCase, dy: [Float], w: [Float]) -> [Double] {
    let (oh, ow) = (c.geometry.outHeight, c.geometry.outWidth)
    var dx = [Double](repeating: 0, count: c.n * c.cin * c.h * c.w)
    for n in 0..<c.n {
      for o in 0..<c.cout {
        for oy in 0..<oh {
          for ox in 0..<ow {
            let g = Double(dy[((n * c.cout + o) * oh + oy) * ow + ox])
            for i in 0..<c.cin {
              for ky in 0..<c.k {
                for kx in 0..<c.k {
                  let iy = oy * c.s - c.p + ky, ix = ox * c.s - c.p + kx
                  guard iy >= 0, iy < c.h, ix >= 0, ix < c.w else { continue }
                  dx[((n * c.cin + i) * c.h + iy) * c.w + ix] += g * Double(w[((o * c.cin + i) * c.k + ky) * c.k + kx])
                }
              }
            }
          }
        }
      }
    }
    return dx
  }

  /// `dw[o, i, ky, kx] = sum dy[n, o, oy, ox] * x[n, i, iy, ix]`, `db[o] = sum dy[n, o, :, :]`.
  static func backwardWeights(_ c: DNNLCase, x: [Float], dy: [Float]) -> (weight: [Double], bias: [Double]) {
    let (oh, ow) = (c.geometry.outHeight, c.geometry.outWidth)
    var dw = [Double](repeating: 0, count: c.cout * c.cin * c.k * c.k)
    var db = [Double](repeating: 0, count: c.cout)
    for n in 0..<c.n {
      for o in 0..<c.cout {
        for oy in 0..<oh {
          for ox in 0..<ow {
            let g = Double(dy[((n * c.cout + o) * oh + oy) * ow + ox])
            db[o] += g
            for i in 0..<c.cin {
              for ky in 0..<c.k {
                for kx in 0..<c.k {
                  let iy = oy * c.s - c.p + ky, ix = ox * c.s - c.p + kx
                  guard iy >= 0, iy < c.h, ix >= 0, ix < c.w else { continue }
                  dw[((o * c.cin + i) * c.k + ky) * c.k + kx] += g * Double(x[((n * c.cin + i) * c.h + iy) * c.w + ix])
                }
              }
            }
          }
        }
      }
    }
    return (dw, db)
  }

  /// `v` rounded to bfloat16 (round to nearest even), as oneDNN's f32 -> bf16 reorder does.
  static func bf16(_ v: Float) -> Float {
    let bits = v.bitPattern
    return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
  }
}

/// `DNNLConvolution` against the naive Double passes.
///
/// Tolerances: fp32 `Tolerance.opElement` (1e-4 abs-or-rel per element, `Deviation`; measured
/// worst 3.1e-6). bf16 is checked twice: against the reference of the bf16-rounded inputs at
/// the same 1e-4 (what is left is float32 accumulation; measured worst 9.2e-7), and against
/// the reference of the original inputs within a rounding bound per element: bf16 keeps 8
/// significant bits (unit roundoff 2^-8), so a product of two rounded factors is within
/// `bf16Bound` = 2^-7 + 2^-16 of the exact product, and a sum within that times its sum of
/// |products| (measured worst 0.36 of that bound).
@Suite struct DNNLConvolutionTests {
  static let bf16Bound = 0x1p-7 + 0x1p-16

  static let cases: [DNNLCase] = [
    DNNLCase(n: 2, cin: 5, h: 7, w: 9, cout: 6, k: 3, s: 1, p: 1),
    DNNLCase(n: 3, cin: 32, h: 8, w: 8, cout: 32, k: 3, s: 1, p: 1, activation: .leakyReLU(0.2)),
    DNNLCase(n: 2, cin: 3, h: 6, w: 5, cout: 32, k: 3, s: 1, p: 1, activation: .relu),
    DNNLCase(n: 2, cin: 64, h: 6, w: 6, cout: 32, k: 3, s: 1, p: 1),
    // GAN discriminator downsampling: 4x4 stride 2 padding 1, even and odd sizes.
    DNNLCase(n: 2, cin: 3, h: 10, w: 10, cout: 8, k: 4, s: 2, p: 1),
    DNNLCase(n: 2, cin: 16, h: 12, w: 12, cout: 32, k: 4, s: 2, p: 1, activation: .leakyReLU(0.2)),
    DNNLCase(n: 1, cin: 4, h: 9, w: 11, cout: 5, k: 4, s: 2, p: 1),
  ]

  /// Seeded inputs at a trained net's scale: weights uniform within 1/sqrt(fan_in).
  static func inputs(_ c: DNNLCase) -> (x: [Float], w: [Float], b: [Float], dy: [Float]) {
    var g = SeededGenerator(seed: 41)
    let g0 = c.geometry
    let scale = Float(1 / Double(c.cin * c.k * c.k).squareRoot())
    return (g.floats(g0.inputCount), g.floats(g0.weightCount).map { $0 * scale }, g.floats(c.cout),
            g.floats(g0.outputCount))
  }

  /// Every case in both precisions, on `Parallel.threads` (batch slices: uneven for a batch of 3
  /// on 2 threads), and the first three on oneDNN's OpenMP team of 2.
  @Test(arguments: cases.map { ($0, DNNLConvolution.Threading.batchSlices) }
                   + cases.prefix(3).map { ($0, DNNLConvolution.Threading.openMP) },
        DNNLConvolution.Precision.allCases)
  func passesMatchNaiveConvolution(_ run: (DNNLCase, DNNLConvolution.Threading), precision: DNNLConvolution.Precision) throws {
    let (c, threading) = run
    let (x, w, b, dy) = Self.inputs(c)
    let conv = try DNNLConvolution(c.geometry, precision: precision, activation: c.activation,
                                   threads: threading == .openMP ? 2 : nil, threading: threading)
    let y = try conv.forward(x, weight: w, bias: b)
    let dx = try conv.backwardData(dy, weight: w)
    let (dw, db) = try conv.backwardWeights(input: x, outputGradient: dy)

    // The reference of the inputs the kernels actually multiply (bf16-rounded for bf16).
    func round(_ v: [Float]) -> [Float] { precision == .bf16 ? v.map(BatchReference.bf16) : v }
    let (xr, wr, dyr) = (round(x), round(w), round(dy))
    let exact = [
      ("forward", Deviation(y, BatchReference.forward(c, x: xr, w: wr, b: b))),
      ("backward-data", Deviation(dx, BatchReference.backwardData(c, dy: dyr, w: wr))),
      ("backward-weights", Deviation(dw, BatchReference.backwardWeights(c, x: xr, dy: dyr).weight)),
      ("bias gradient", Deviation(db, BatchReference.backwardWeights(c, x: xr, dy: dyr).bias)),
    ]
    for (pass, d) in exact {
      #expect(d.error <= Tolerance.opElement, "\(c.testDescription) \(precision) \(pass): \(d)")
    }
    guard precision == .bf16 else { return }
    // Against the unrounded inputs: each rounded product is within 2^-7 (+ 2^-16) of the exact
    // one, so an element is within 2^-7 of its sum of |products| plus the f32 slack above.
    let (ax, aw, ady) = (x.map(abs), w.map(abs), dy.map(abs))
    let zeros = [Float](repeating: 0, count: c.cout)
    var plain = c
    plain.activation = .none
    let bounded = [
      ("forward", y, BatchReference.forward(c, x: x, w: w, b: b), BatchReference.forward(plain, x: ax, w: aw, b: zeros)),
      ("backward-data", dx, BatchReference.backwardData(c, dy: dy, w: w), BatchReference.backwardData(c, dy: ady, w: aw)),
      ("backward-weights", dw, BatchReference.backwardWeights(c, x: x, dy: dy).weight,
       BatchReference.backwardWeights(c, x: ax, dy: ady).weight),
    ]
    for (pass, got, exact, magnitude) in bounded {
      let worst = Self.worstBoundRatio(got, exact, magnitude)
      #expect(worst.ratio <= 1, "\(c.testDescription) bf16 vs unrounded \(pass): \(worst.ratio) of the bound at \(worst.index)")
    }
  }

  /// The largest `|got - exact| / (bf16Bound * magnitude + opElement * max(1, |exact|))` and where.
  static func worstBoundRatio(_ got: [Float], _ exact: [Double], _ magnitude: [Double]) -> (ratio: Double, index: Int) {
    var worst = (ratio: 0.0, index: 0)
    for i in got.indices {
      let bound = Self.bf16Bound * magnitude[i] + Tolerance.opElement * max(1, abs(exact[i]))
      let r = abs(Double(got[i]) - exact[i]) / bound
      if r > worst.ratio || r.isNaN { worst = (r.isNaN ? .infinity : r, i) }
    }
    return worst
  }

  /// A fixed thread count gives the same bits on every call, for every pass, precision and
  /// threading.
  @Test(arguments: DNNLConvolution.Precision.allCases, DNNLConvolution.Threading.allCases)
  func sameInputsGiveIdenticalBits(precision: DNNLConvolution.Precision, threading: DNNLConvolution.Threading) throws {
    let c = DNNLCase(n: 4, cin: 32, h: 12, w: 12, cout: 32, k: 3, s: 1, p: 1)
    let (x, w, b, dy) = Self.inputs(c)
    for threads in [1, 2] {
      let conv = try DNNLConvolution(c.geometry, precision: precision, threads: threads, threading: threading)
      let first = (try conv.forward(x, weight: w, bias: b), try conv.backwardData(dy, weight: w),
                   try conv.backwardWeights(input: x, outputGradient: dy))
      for _ in 0..<2 {
        #expect(try conv.forward(x, weight: w, bias: b) == first.0)
        #expect(try conv.backwardData(dy, weight: w) == first.1)
        let (dw, db) = try conv.backwardWeights(input: x, outputGradient: dy)
        #expect(dw == first.2.weight && db == first.2.bias)
      }
    }
  }

  /// Across thread counts (uneven batch slices included) forward and backward-data keep their
  /// bits; backward-weights sums in another order (batch slices, or oneDNN's per-thread
  /// reduction), so it agrees to rounding only.
  @Test(arguments: DNNLConvolution.Threading.allCases)
  func threadCountsAgree(threading: DNNLConvolution.Threading) throws {
    let c = DNNLCase(n: 4, cin: 16, h: 9, w: 10, cout: 24, k: 3, s: 1, p: 1)
    let (x, w, b, dy) = Self.inputs(c)
    let one = try DNNLConvolution(c.geometry, threads: 1, threading: threading)
    let ref = BatchReference.backwardWeights(c, x: x, dy: dy)
    for threads in [2, 3] {
      let conv = try DNNLConvolution(c.geometry, threads: threads, threading: threading)
      #expect(try conv.forward(x, weight: w, bias: b) == one.forward(x, weight: w, bias: b))
      #expect(try conv.backwardData(dy, weight: w) == one.backwardData(dy, weight: w))
      let (dw, db) = try conv.backwardWeights(input: x, outputGradient: dy)
      #expect(Deviation(dw, ref.weight).error <= Tolerance.opElement)
      #expect(Deviation(db, ref.bias).error <= Tolerance.opElement)
    }
  }

  /// `.fixedSlices` cuts the batch the same way on every thread count: backward-weights keeps its
  /// bits too (in both precisions), and still matches the reference sums.
  @Test(arguments: DNNLConvolution.Precision.allCases)
  func fixedSlicesKeepBitsAcrossThreadCounts(precision: DNNLConvolution.Precision) throws {
    let c = DNNLCase(n: 7, cin: 16, h: 9, w: 10, cout: 24, k: 3, s: 1, p: 1)  // 7 samples: uneven slices
    let (x, w, b, dy) = Self.inputs(c)
    let one = try DNNLConvolution(c.geometry, precision: precision, threads: 1, threading: .fixedSlices)
    let (dw1, db1) = try one.backwardWeights(input: x, outputGradient: dy)
    if precision == .fp32 {
      let ref = BatchReference.backwardWeights(c, x: x, dy: dy)
      #expect(Deviation(dw1, ref.weight).error <= Tolerance.opElement)
      #expect(Deviation(db1, ref.bias).error <= Tolerance.opElement)
    }
    for threads in [2, 3] {
      let conv = try DNNLConvolution(c.geometry, precision: precision, threads: threads, threading: .fixedSlices)
      #expect(try conv.forward(x, weight: w, bias: b) == one.forward(x, weight: w, bias: b))
      #expect(try conv.backwardData(dy, weight: w) == one.backwardData(dy, weight: w))
      let (dw, db) = try conv.backwardWeights(input: x, outputGradient: dy)
      #expect(dw == dw1 && db == db1)
    }
  }

  /// Calls from inside `Parallel`'s workers (two at once on one object) run one slice each on
  /// their own thread, serialised by the object, with the same bits as a call from outside.
  @Test func callsFromParallelWorkers() throws {
    let c = DNNLCase(n: 4, cin: 8, h: 7, w: 7, cout: 8, k: 3, s: 1, p: 1)
    let (x, w, b, _) = Self.inputs(c)
    let conv = try DNNLConvolution(c.geometry, threads: 2)
    let expected = try conv.forward(x, weight: w, bias: b)
    var results = [[Float]?](repeating: nil, count: 2)
    results.withUnsafeMutableBufferPointer { results in
      Parallel.forEach(2) { i in results[i] = try? conv.forward(x, weight: w, bias: b) }
    }
    #expect(results.allSatisfy { $0 == expected })
  }

  /// A missing bias is a zero bias; a bias gradient can be skipped.
  @Test func optionalBiasAndBiasGradient() throws {
    let c = DNNLCase(n: 2, cin: 5, h: 7, w: 9, cout: 6, k: 3, s: 1, p: 1)
    let (x, w, _, dy) = Self.inputs(c)
    let conv = try DNNLConvolution(c.geometry)
    let y = try conv.forward(x, weight: w, bias: nil)
    let zeros = [Float](repeating: 0, count: c.cout)
    #expect(Deviation(y, BatchReference.forward(c, x: x, w: w, b: zeros)).error <= Tolerance.opElement)
    var dw = [Float](repeating: 0, count: c.geometry.weightCount)
    try x.withUnsafeBufferPointer { xp in
      try dy.withUnsafeBufferPointer { dyp in
        try dw.withUnsafeMutableBufferPointer { dwp in
          try conv.backwardWeights(input: xp.baseAddress!, outputGradient: dyp.baseAddress!,
                                   weightGradient: dwp.baseAddress!, biasGradient: nil)
        }
      }
    }
    let ref = BatchReference.backwardWeights(c, x: x, dy: dy).weight
    #expect(Deviation(dw, ref).error <= Tolerance.opElement)
  }

  /// Every pass reports the kernel oneDNN chose once it ran.
  @Test func reportsImplementation() throws {
    let c = DNNLCase(n: 1, cin: 8, h: 6, w: 6, cout: 8, k: 3, s: 1, p: 1)
    let conv = try DNNLConvolution(c.geometry, threads: 1)
    #expect(conv.implementation(.backwardData).isEmpty)
    for pass in DNNLConvolution.Pass.allCases { try conv.prepare(pass) }
    for pass in DNNLConvolution.Pass.allCases { #expect(!conv.implementation(pass).isEmpty) }
    #expect(!DNNL.cpuISA.isEmpty && DNNL.version.hasPrefix("2."))
  }

  /// Shapes and buffers that cannot run are one-line errors, never traps.
  @Test func badShapesAndBuffersThrowOneLine() throws {
    let bad: [DNNLConvolution.Geometry] = [
      .init(batch: 0, inChannels: 3, outChannels: 4, height: 8, width: 8, kernel: 3, padding: 1),
      .init(batch: 1, inChannels: 3, outChannels: 4, height: 8, width: 8, kernel: 3, stride: 0, padding: 1),
      .init(batch: 1, inChannels: 3, outChannels: 4, height: 2, width: 2, kernel: 7, padding: 1),
      .init(batch: 1, inChannels: 3, outChannels: 4, height: 8, width: 8, kernel: 3, padding: 3),
      .init(batch: 1, inChannels: 3, outChannels: 4, height: 8, width: 8, kernel: 3, padding: -1),
      .init(batch: Int.max / 2, inChannels: 3, outChannels: 4, height: 8, width: 8, kernel: 3, padding: 1),
    ]
    for g in bad {
      #expect {
        _ = try DNNLConvolution(g)
      } throws: { error in
        "\(error)".hasPrefix("DNNLConvolution: ") && !"\(error)".contains("\n")
      }
    }
    #expect(throws: DNNLError.self) { _ = try DNNLConvolution(DNNLCase(n: 1, cin: 1, h: 4, w: 4, cout: 1, k: 3, s: 1, p: 1).geometry, threads: 0) }
    let conv = try DNNLConvolution(DNNLCase(n: 1, cin: 2, h: 4, w: 4, cout: 3, k: 3, s: 1, p: 1).geometry)
    #expect(throws: DNNLError("DNNLConvolution: input has 5 floats, 1x2x4x4 -> 3, 3x3 stride 1 padding 1 needs 32")) {
      _ = try conv.forward([Float](repeating: 0, count: 5), weight: [Float](repeating: 0, count: 54), bias: nil)
    }
  }
}
