import CBLAS
import Foundation

/// Single-precision GEMM on SRScope's one thread pool: OpenBLAS runs single-threaded inside
/// `Parallel`'s workers, each computing its own block of the output's columns.
///
/// OpenBLAS's pthreads build keeps a second pool whose idle workers spin on `sched_yield` for
/// about 2^28 cycles after every threaded call. Beside SRScope's own loops (im2col, Winograd,
/// the trainer's elementwise passes) that spinning took one of two cores: the viewer's crop
/// LPIPS spent 64% of its CPU samples in a spinning OpenBLAS worker, and the trainer ran slower
/// on 2 threads than on 1. With OpenBLAS at one thread that pool never starts again.
///
/// Each output element's whole sum over `k` stays in one OpenBLAS call; a narrower block may still
/// get another of OpenBLAS's kernels (its small-matrix ones), so split results agree across thread
/// counts only to rounding. Products under `splitThreshold`, or not `splittable`, are one call.
public enum GEMM {
  /// Below this many multiply-adds a product runs on the calling thread (a split costs more).
  static let splitThreshold = 1 << 24

  /// OpenBLAS at one thread, its started workers stopped; done once, before the first product.
  private static let singleThreadedBLAS: Void = {
    openblas_set_num_threads(1)
    stopBLASWorkers()
  }()

  /// Makes OpenBLAS single-threaded (idempotent; `Parallel.setThreads` calls it at start-up).
  public static func useSingleThreadedBLAS() { _ = singleThreadedBLAS }

  /// `C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C`, row-major, as `cblas_sgemm`,
  /// split over `Parallel.threads` column blocks of `C` when the product is large enough, unless
  /// `splittable` is false (the trainer: one call whatever the thread count, so the same bits).
  public static func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, splittable: Bool = true
  ) {
    useSingleThreadedBLAS()
    let blocks = splittable && m * n * k >= splitThreshold ? min(Parallel.threads, n / 16) : 1
    let ta = transposeA ? CblasTrans : CblasNoTrans, tb = transposeB ? CblasTrans : CblasNoTrans
    let run = { (columns: Range<Int>) in
      guard !columns.isEmpty else { return }
      // Column j of op(B) starts at b + j (row-major B) or at row j of B (transposed).
      let bStart = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
      cblas_sgemm(CblasRowMajor, ta, tb, blasint(m), blasint(columns.count), blasint(k),
                  alpha, a, blasint(lda), bStart, blasint(ldb), beta, c + columns.lowerBound, blasint(ldc))
    }
    if blocks <= 1 { return run(0..<n) }
    Parallel.forEach(blocks) { w in run((n * w / blocks)..<(n * (w + 1) / blocks)) }
  }

  /// Stops OpenBLAS's worker threads through `blas_thread_shutdown_` (a no-op where the library
  /// has none). At one thread OpenBLAS runs every call on the caller and never restarts them.
  private static func stopBLASWorkers() {
    guard let symbol = dlsym(nil, "blas_thread_shutdown_") else { return }
    let shutdown = unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)
    _ = shutdown()
  }
}
