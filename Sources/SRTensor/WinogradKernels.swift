import CKernels
import Foundation

/// The three stages of a Winograd convolution (input transform, the 36 per-point products
/// `M[pt] = U[pt] x V[pt]`, output transform), run by the C kernels in `CKernels` for the best
/// instruction set of this CPU, each on the calling thread (`Conv3x3Kernel` and
/// `WinogradFeatureStack` split the work over `Parallel`'s workers).
///
/// Tiles travel in blocks of 16, one per vector lane (`[block][channel][16 lanes]`): the input
/// transform writes V in the layout the products read, so no GEMM packing copy is made, and the
/// speed does not depend on which kernels OpenBLAS picked (`OPENBLAS_CORETYPE`).
public enum WinogradKernels {
  /// Instruction sets of the kernels.
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
  /// (`generic`, `avx2`, `avx512`; for comparing kernels, never above `best`). A value that is not
  /// one of those, or above `best`, is reported on stderr in one line and `best` is used.
  public static let active: ISA = {
    let choice = choose(requested: ProcessInfo.processInfo.environment["SRSCOPE_WINOGRAD_ISA"], best: best)
    if let warning = choice.warning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
    return choice.isa
  }()

  /// The instruction set for a `SRSCOPE_WINOGRAD_ISA` value (nil: unset) on a CPU whose best is
  /// `best`, and the one-line warning when the value cannot be honoured.
  static func choose(requested: String?, best: ISA) -> (isa: ISA, warning: String?) {
    guard let requested, !requested.isEmpty else { return (best, nil) }
    let names = ISA.allCases.map(\.name).joined(separator: ", ")
    guard let isa = ISA.allCases.first(where: { $0.name == requested }) else {
      return (best, "srscope: SRSCOPE_WINOGRAD_ISA=\(requested) is not one of \(names); using \(best.name)")
    }
    guard isa.rawValue <= best.rawValue else {
      return (best, "srscope: SRSCOPE_WINOGRAD_ISA=\(requested) is not supported by this CPU; using \(best.name)")
    }
    return (isa, nil)
  }

  /// Output channels per packed weight row block.
  static let rowBlock = 16

  /// Index of `U[o, i]` within one point's packed weights (`[out, in]` in row blocks of 16, each
  /// block `[in][rows]`), the layout `multiply` reads.
  @inline(__always)
  static func packedIndex(o: Int, i: Int, out: Int, in inC: Int) -> Int {
    let o0 = o & ~(rowBlock - 1)
    return o0 * inC + i * min(rowBlock, out - o0) + (o - o0)
  }

  /// The 36 products on the calling thread. `u`: packed weights, point stride `out * in`;
  /// `v`: point `pt` at `v + pt * vPointStride`, tile block `t` at `+ t * vBlockStride`;
  /// `m`: point stride `mPointStride`, blocks `[out][16]`.
  static func multiply(
    u: UnsafePointer<Float>, out: Int, in inC: Int, v: UnsafePointer<Float>, vPointStride: Int, vBlockStride: Int,
    m: UnsafeMutablePointer<Float>, mPointStride: Int, blocks: Int, isa: ISA = active
  ) {
    srs_winograd_products(isa.rawValue, u, v, vPointStride, vBlockStride, m, mPointStride, out, inC, blocks)
  }

  /// Input transform of `chunk` of `channels` CHW planes of `x` (`height` x `width`) on the
  /// calling thread: channel `c`, block `b` of the chunk, point `pt` go to the 16 floats at
  /// `v + pt * pointStride + b * blockStride + 16 * c`. `scratch`: `inputScratchCount`.
  static func inputTransform(
    _ x: UnsafePointer<Float>, channels: Int, height: Int, width: Int, chunk: WinogradPlan.Chunk,
    v: UnsafeMutablePointer<Float>, blockStride: Int, pointStride: Int, scratch: UnsafeMutablePointer<Float>,
    isa: ISA = active
  ) {
    srs_winograd_input(isa.rawValue, x, channels, height, width, chunk.ty0, chunk.rows, chunk.bx0, chunk.bx1,
                       v, blockStride, pointStride, scratch)
  }

  /// Floats of scratch the input transform of a chunk `blocksWide` tile blocks wide needs.
  static func inputScratchCount(blocksWide: Int) -> Int { srs_winograd_input_scratch(blocksWide) }

  /// Output transform of `chunk` into the CHW map `out` (`outChannels` x `height` x `width`, or
  /// pixel-shuffled by `epilogue.shuffle`) from its products `m` (point stride `pointStride`), with
  /// bias and `epilogue`, on the calling thread.
  static func outputTransform(
    _ m: UnsafePointer<Float>, outChannels: Int, pointStride: Int, height: Int, width: Int,
    chunk: WinogradPlan.Chunk, bias: UnsafePointer<Float>?, epilogue: WinogradEpilogue,
    out: UnsafeMutablePointer<Float>, isa: ISA = active
  ) {
    srs_winograd_output(isa.rawValue, m, outChannels, pointStride, height, width, chunk.ty0, chunk.rows,
                        chunk.bx0, chunk.bx1, bias, epilogue.kind, epilogue.slope, epilogue.residual,
                        epilogue.residualScale, epilogue.shuffle, out)
  }
}
