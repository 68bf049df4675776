import CKernels
import Foundation

/// The 36 per-point products `M[pt] = U[pt] x V[pt]` of a Winograd convolution, run by the C
/// kernel in `CKernels` for the best instruction set of this CPU.
///
/// The kernel reads the transformed input in tile blocks of 16 (`[block][channel][16 lanes]`),
/// the layout the input transform writes, so no GEMM packing copy is made, and its speed does
/// not depend on which kernels OpenBLAS picked (`OPENBLAS_CORETYPE`).
public enum WinogradProducts {
  /// Instruction sets of the product kernel.
  public enum ISA: Int32, CaseIterable, Sendable {
    case generic = 1, avx2 = 2, avx512 = 3

    /// The name printed by `upscale --timing` and accepted by `SRSCOPE_WINOGRAD_ISA`.
    public var name: String {
      switch self {
      case .generic: "generic"
      case .avx2: "avx2"
      case .avx512: "avx512"
      }
    }
  }

  /// The best instruction set the CPU and OS support.
  public static let best = ISA(rawValue: srs_best_isa()) ?? .generic

  /// The instruction set in use: `best`, or a lower one named by `SRSCOPE_WINOGRAD_ISA`
  /// (`generic`, `avx2`, `avx512`; for comparing kernels, never above `best`).
  public static let active: ISA = {
    let requested = ProcessInfo.processInfo.environment["SRSCOPE_WINOGRAD_ISA"]
    guard let isa = ISA.allCases.first(where: { $0.name == requested }) else { return best }
    return isa.rawValue <= best.rawValue ? isa : best
  }()

  /// Output channels per packed weight row block.
  static let rowBlock = 16

  /// Index of `U[o, i]` within one point's packed weights (`[out, in]` in row blocks of 16, each
  /// block `[in][rows]`), the layout `multiply` reads.
  @inline(__always)
  static func packedIndex(o: Int, i: Int, out: Int, in inC: Int) -> Int {
    let o0 = o & ~(rowBlock - 1)
    return o0 * inC + i * min(rowBlock, out - o0) + (o - o0)
  }

  /// Runs the 36 products, split over `Parallel` workers by point.
  /// `u`: packed weights, point stride `out * in`; `v`: point `pt` at `v + pt * vPointStride`,
  /// tile block `t` at `+ t * vBlockStride`; `m`: point stride `mPointStride`, block `[out][16]`.
  static func multiply(
    u: UnsafePointer<Float>, out: Int, in inC: Int, v: UnsafePointer<Float>, vPointStride: Int, vBlockStride: Int,
    m: UnsafeMutablePointer<Float>, mPointStride: Int, blocks: Int, isa: ISA = active
  ) {
    Parallel.forEach(Winograd.points) { pt in
      srs_winograd_products(isa.rawValue, u + pt * out * inC, v + pt * vPointStride, m + pt * mPointStride,
                            out, inC, blocks, vBlockStride)
    }
  }
}
