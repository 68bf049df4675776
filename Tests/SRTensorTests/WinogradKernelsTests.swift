import SRTestSupport
import Testing

@testable import SRTensor

/// One product-kernel case: matrix sizes, tile blocks, and spare channels per block of V.
struct ProductsCase: CustomTestStringConvertible, Sendable {
  let out, inC, blocks, spare: Int
  var testDescription: String { "\(out)x\(inC) blocks=\(blocks) spare=\(spare)" }
}

/// The C product kernel of every instruction set this CPU runs, against the Double product of
/// the unpacked matrices. Row counts cover a partial register block (3, 5), whole and partial
/// 16-row weight blocks (16, 17, 33) and the AVX2 6-row split; V has extra channels per block
/// (the feature-stack layout, of which only the first `in` are read).
/// Tolerance: `Tolerance.opElement` (1e-4, abs-or-rel per element).
@Suite struct WinogradKernelsTests {
  static let cases: [ProductsCase] = [
    .init(out: 1, inC: 1, blocks: 1, spare: 0),
    .init(out: 3, inC: 64, blocks: 2, spare: 0),
    .init(out: 5, inC: 7, blocks: 3, spare: 2),
    .init(out: 16, inC: 9, blocks: 1, spare: 0),
    .init(out: 17, inC: 13, blocks: 2, spare: 5),
    .init(out: 33, inC: 40, blocks: 2, spare: 24),
  ]

  static var isas: [WinogradKernels.ISA] {
    WinogradKernels.ISA.allCases.filter { $0.rawValue <= WinogradKernels.best.rawValue }
  }

  @Test(arguments: cases, isas)
  func matchesDoubleProduct(_ c: ProductsCase, isa: WinogradKernels.ISA) throws {
    let points = Winograd.points, lanes = Winograd.lanes
    let channels = c.inC + c.spare
    let u = seededTensor([points, c.out, c.inC], seed: 31).data
    let v = seededTensor([points, c.blocks, channels, lanes], seed: 32).data
    var packed = [Float](repeating: .nan, count: u.count)
    for pt in 0..<points {
      for o in 0..<c.out {
        for i in 0..<c.inC {
          packed[pt * c.out * c.inC + WinogradKernels.packedIndex(o: o, i: i, out: c.out, in: c.inC)] =
            u[(pt * c.out + o) * c.inC + i]
        }
      }
    }
    #expect(!packed.contains { $0.isNaN }, "packing leaves no slot unwritten")
    let mPointStride = WinogradPlan.pointStride(blocks: c.blocks, channels: c.out)
    var m = [Float](repeating: .nan, count: points * mPointStride)
    packed.withUnsafeBufferPointer { up in
      v.withUnsafeBufferPointer { vp in
        m.withUnsafeMutableBufferPointer { mp in
          WinogradKernels.multiply(
            u: up.baseAddress!, out: c.out, in: c.inC, v: vp.baseAddress!, vPointStride: c.blocks * channels * lanes,
            vBlockStride: channels * lanes, m: mp.baseAddress!, mPointStride: mPointStride, blocks: c.blocks, isa: isa)
        }
      }
    }
    var got = [Float](), want = [Double]()
    for pt in 0..<points {
      for b in 0..<c.blocks {
        for o in 0..<c.out {
          for lane in 0..<lanes {
            var sum = 0.0
            for i in 0..<c.inC {
              sum += Double(u[(pt * c.out + o) * c.inC + i]) * Double(v[((pt * c.blocks + b) * channels + i) * lanes + lane])
            }
            want.append(sum)
            got.append(m[pt * mPointStride + (b * c.out + o) * lanes + lane])
          }
        }
      }
    }
    let deviation = Deviation(got, want)
    #expect(deviation.error <= Tolerance.opElement, "\(isa.name): \(deviation)")
  }

  @Test func instructionSetOverrideIsHonouredOrReported() {
    #expect(WinogradKernels.choose(requested: nil, best: .avx512) == (.avx512, nil))
    #expect(WinogradKernels.choose(requested: "avx2", best: .avx512) == (.avx2, nil))
    #expect(WinogradKernels.choose(requested: "generic", best: .avx2) == (.generic, nil))
    #expect(WinogradKernels.choose(requested: "avx512", best: .avx2)
      == (.avx2, "srscope: SRSCOPE_WINOGRAD_ISA=avx512 is not supported by this CPU; using avx2"))
    #expect(WinogradKernels.choose(requested: "AVX2", best: .avx512)
      == (.avx512, "srscope: SRSCOPE_WINOGRAD_ISA=AVX2 is not one of generic, avx2, avx512; using avx512"))
  }
}
