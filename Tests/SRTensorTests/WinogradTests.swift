import SRTestSupport
import Testing

@testable import SRTensor

/// One Winograd case: shapes, bias, activation, chunk budget (bytes; 1 = one tile row per chunk).
struct WinogradCase: CustomTestStringConvertible, Sendable {
  let cin, h, w, cout: Int
  var hasBias = true
  var activation: Activation = .none
  var budget = Conv3x3Kernel.chunkBudgetBytes
  /// If set, the conv adds the (seeded) residual scaled by this in its output pass.
  var residualScale: Float? = nil
  /// Pixel shuffle of the output, fused into its pass.
  var shuffle = 1

  var testDescription: String {
    "[\(cin),\(h),\(w)] -> \(cout) bias=\(hasBias) \(activation) budget=\(budget)"
      + (residualScale.map { " residual x\($0)" } ?? "") + (shuffle > 1 ? " shuffle \(shuffle)" : "")
  }
}

/// The prepared 3x3 kernel (Winograd F(4x4,3x3)) against the naive Double convolution.
/// Tolerance: `Tolerance.opElement` (1e-4, abs-or-rel per element); measured worst 7.7e-6.
@Suite struct WinogradTests {
  static let cases: [WinogradCase] = [
    WinogradCase(cin: 1, h: 1, w: 1, cout: 1),
    WinogradCase(cin: 1, h: 5, w: 7, cout: 3, hasBias: false),
    WinogradCase(cin: 3, h: 13, w: 9, cout: 5, activation: .relu),
    WinogradCase(cin: 3, h: 4, w: 4, cout: 2),
    WinogradCase(cin: 2, h: 3, w: 70, cout: 3, activation: .leakyReLU(0.2)),  // 18 tiles: full + tail group
    WinogradCase(cin: 3, h: 13, w: 9, cout: 5, activation: .leakyReLU(0.2), budget: 1),  // 4 chunks
    WinogradCase(cin: 64, h: 13, w: 9, cout: 32, activation: .leakyReLU(0.2)),
    WinogradCase(cin: 64, h: 9, w: 17, cout: 64, budget: 1),
    WinogradCase(cin: 192, h: 8, w: 8, cout: 64),
    WinogradCase(cin: 64, h: 5, w: 66, cout: 3, activation: .leakyReLU(0.2), budget: 1),
    // 50 tiles per row in 4 blocks, one block per chunk: chunks start mid-row.
    WinogradCase(cin: 5, h: 6, w: 200, cout: 17, activation: .relu, budget: 1, residualScale: 0.2),
    WinogradCase(cin: 32, h: 7, w: 130, cout: 32, residualScale: 1),
    // Fused pixel shuffle: x2 (channel pairs interleaved in vectors; partial chunks and a partial
    // last block), x2 over a 202-wide row, x3 (element by element).
    WinogradCase(cin: 4, h: 9, w: 70, cout: 8, activation: .relu, budget: 1, shuffle: 2),
    WinogradCase(cin: 3, h: 5, w: 202, cout: 12, activation: .leakyReLU(0.2), shuffle: 2),
    WinogradCase(cin: 3, h: 10, w: 12, cout: 18, shuffle: 3),
    // Few outputs: a partial register block of rows (5 = one 5-row block; 4 without bias).
    WinogradCase(cin: 7, h: 6, w: 50, cout: 5, activation: .leakyReLU(0.2)),
    WinogradCase(cin: 32, h: 3, w: 17, cout: 4, hasBias: false, activation: .relu),
  ]

  /// Every case with the kernels of every instruction set this CPU runs.
  @Test(arguments: cases, WinogradKernelsTests.isas)
  func matchesNaiveConvolution(_ c: WinogradCase, isa: WinogradKernels.ISA) throws {
    let x = seededTensor([c.cin, c.h, c.w], seed: 11)
    // PyTorch's default init scale (uniform bound 1/sqrt(fan_in)), so outputs are O(1) like a
    // trained net's; with unscaled [-1, 1] weights and 192 channels outputs have std ~14 and the
    // F(4x4,3x3) rounding error reaches 2.6e-4 absolute (2e-5 of the output std).
    let scale = Float(1 / (9 * Double(c.cin)).squareRoot())
    var weight = seededTensor([c.cout, c.cin, 3, 3], seed: 12)
    weight.data = weight.data.map { $0 * scale }
    let bias = c.hasBias ? seededTensor([c.cout], seed: 13) : nil
    let kernel = Conv3x3Kernel(weight: weight, bias: bias)
    #expect(kernel.usesWinograd)
    let (h, w) = (c.h, c.w)
    let residual = c.residualScale.map { _ in seededTensor([c.cout, h, w], seed: 14) }
    let y = kernel.apply(x, activation: c.activation, residual: residual, residualScale: c.residualScale ?? 1,
                         pixelShuffle: c.shuffle, budget: c.budget, isa: isa)
    // Reference: the naive conv, residual, shuffle by index.
    var conv = Reference.conv2d(x, weight: weight, bias: bias, stride: 1, padding: 1, activation: c.activation).data
    if let residual, let scale = c.residualScale {
      conv = zip(conv, residual.data).map { Double(scale) * $0 + Double($1) }
    }
    let f = c.shuffle
    var ref = [Double](repeating: 0, count: conv.count)
    for o in 0..<c.cout {
      for yy in 0..<h {
        for xx in 0..<w {
          let (oc, i, j) = (o / (f * f), o / f % f, o % f)
          ref[(oc * h * f + yy * f + i) * w * f + xx * f + j] = conv[(o * h + yy) * w + xx]
        }
      }
    }
    try #require(y.shape == [c.cout / (f * f), h * f, w * f])
    let d = Deviation(y.data, ref)
    #expect(d.error <= Tolerance.opElement, "\(c.testDescription) \(isa.name): \(d)")
  }

  @Test func nonThreeByThreeFallsBackToIm2col() throws {
    let x = seededTensor([3, 6, 5], seed: 14)
    let weight = seededTensor([4, 3, 5, 5], seed: 15)
    let bias = seededTensor([4], seed: 16)
    let kernel = Conv3x3Kernel(weight: weight, bias: bias)
    #expect(!kernel.usesWinograd)
    let y = kernel(x, activation: .relu)
    let ref = Reference.conv2d(x, weight: weight, bias: bias, stride: 1, padding: 2, activation: .relu)
    try #require(y.shape == ref.shape)
    #expect(Deviation(y.data, ref.data).error <= Tolerance.opElement)
  }

  /// Winograd runs only where it multiplies fewer numbers than the direct convolution: 36 x 16
  /// per tile block (4 rows x up to 64 columns) against 9 per pixel.
  @Test func winogradOnlyWhereItBeatsDirect() {
    // 1x1: 576 vs 9; 8x8: 2 blocks, 1152 vs 576; 12x12: 1728 vs 1296.
    #expect(!WinogradPlan.beatsDirect(height: 1, width: 1))
    #expect(!WinogradPlan.beatsDirect(height: 8, width: 8))
    #expect(!WinogradPlan.beatsDirect(height: 12, width: 12))
    #expect(!WinogradPlan.beatsDirect(height: 400, width: 8))
    // 16x16: 2304 vs 2304; 4x200: 4 blocks, 2304 vs 7200; 64x64: 9216 vs 36864.
    #expect(WinogradPlan.beatsDirect(height: 16, width: 16))
    #expect(WinogradPlan.beatsDirect(height: 4, width: 200))
    #expect(WinogradPlan.beatsDirect(height: 64, width: 64))
  }

  /// Maps too small for Winograd take `Ops.conv2d` through the public call, with the residual and
  /// the pixel shuffle applied there, and agree with the naive convolution.
  @Test(arguments: [(h: 1, w: 1), (h: 3, w: 3), (h: 9, w: 7)])
  func smallMapsTakeTheDirectPath(h: Int, w: Int) throws {
    let (cin, cout) = (16, 8)
    let x = seededTensor([cin, h, w], seed: 21)
    var weight = seededTensor([cout, cin, 3, 3], seed: 22)
    weight.data = weight.data.map { $0 / 12 }
    let bias = seededTensor([cout], seed: 23)
    let residual = seededTensor([cout, h, w], seed: 24)
    let kernel = Conv3x3Kernel(weight: weight, bias: bias)
    #expect(!WinogradPlan.beatsDirect(height: h, width: w))
    let conv = Reference.conv2d(x, weight: weight, bias: bias, stride: 1, padding: 1, activation: .leakyReLU(0.2)).data
    let y = kernel(x, activation: .leakyReLU(0.2), residual: residual, residualScale: 0.2)
    let ref = zip(conv, residual.data).map { 0.2 * $0 + Double($1) }
    #expect(Deviation(y.data, ref).error <= Tolerance.opElement)
    // Shuffled by 2: channel 4c + 2i + j lands on (c, 2y + i, 2x + j).
    let s = kernel(x, activation: .leakyReLU(0.2), pixelShuffle: 2)
    try #require(s.shape == [cout / 4, 2 * h, 2 * w])
    for o in 0..<cout {
      for yy in 0..<h {
        for xx in 0..<w {
          let got = Double(s.data[((o / 4) * 2 * h + 2 * yy + o / 2 % 2) * 2 * w + 2 * xx + o % 2])
          let want = conv[(o * h + yy) * w + xx]
          #expect(abs(got - want) <= Tolerance.opElement * max(1, abs(want)))
        }
      }
    }
  }

  @Test func vectorAndScalarWeightTransformsAgree() {
    // 11 output channels: one 8-lane Float group and three Double leftovers; 3 input channels.
    // Every kernel must transform like the same kernel alone (out = 1 takes the Double path).
    let (out, inC) = (11, 3)
    let w = seededTensor([out, inC, 3, 3], seed: 17).data
    let u = Winograd.transformWeights(w, out: out, in: inC)
    for o in 0..<out {
      for i in 0..<inC {
        let single = Winograd.transformWeights(Array(w[((o * inC + i) * 9)..<((o * inC + i) * 9 + 9)]), out: 1, in: 1)
        for pt in 0..<36 {
          let got = u[pt * out * inC + WinogradKernels.packedIndex(o: o, i: i, out: out, in: inC)]
          #expect(abs(got - single[pt]) <= 1e-6 * max(1, abs(single[pt])), "o \(o) i \(i) pt \(pt)")
        }
      }
    }
  }

  @Test func weightTransformMatchesFormula() {
    // U[pt] for a single kernel equals G g G^T; with g = delta at the centre, G g G^T = G[:,1] G[:,1]^T.
    var w = [Float](repeating: 0, count: 9)
    w[4] = 1
    let u = Winograd.transformWeights(w, out: 1, in: 1)
    let g1: [Double] = [0, -1.0 / 6, 1.0 / 6, 1.0 / 12, -1.0 / 12, 0]
    for r in 0..<6 {
      for c in 0..<6 { #expect(abs(Double(u[r * 6 + c]) - g1[r] * g1[c]) < 1e-7) }
    }
  }
}

/// When srscope overrides OpenBLAS's kernel choice (`BLASKernelChoice`).
@Suite struct BLASKernelChoiceTests {
  static let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]

  @Test func genericKernelsOnAnAVX512CPUAreReplaced() {
    #expect(BLASKernelChoice.override(environment: [:], loadedCore: "Prescott", cpuFlags: Self.avx512) == "SkylakeX")
    #expect(BLASKernelChoice.override(environment: [:], loadedCore: "Prescott",
                                      cpuFlags: Self.avx512.union(["avx512_bf16"])) == "Cooperlake")
    #expect(BLASKernelChoice.override(environment: [:], loadedCore: "Haswell", cpuFlags: Self.avx512) == "SkylakeX")
    #expect(BLASKernelChoice.override(environment: [:], loadedCore: "Nehalem", cpuFlags: ["sse3", "avx2", "fma"]) == "Haswell")
  }

  @Test func rightKernelsOrAnExplicitChoiceAreKept() {
    #expect(BLASKernelChoice.override(environment: [:], loadedCore: "Cooperlake", cpuFlags: Self.avx512) == nil)
    #expect(BLASKernelChoice.override(environment: [:], loadedCore: "Zen", cpuFlags: ["avx2", "fma"]) == nil)
    #expect(BLASKernelChoice.override(environment: ["OPENBLAS_CORETYPE": "Haswell"], loadedCore: "Prescott",
                                      cpuFlags: Self.avx512) == nil)
    #expect(BLASKernelChoice.override(environment: [:], loadedCore: "Prescott", cpuFlags: ["sse3", "avx"]) == nil)
  }

  @Test func flagsComeFromTheCpuinfoFlagsLine() {
    let text = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\nflags\t\t: fpu sse3 avx2 fma\nbugs\t\t: x\n"
    #expect(BLASKernelChoice.cpuFlags(cpuinfo: text) == ["fpu", "sse3", "avx2", "fma"])
    #expect(BLASKernelChoice.cpuFlags(cpuinfo: "garbage") == [])
  }
}
