import Foundation

/// OpenBLAS's own worker threads, which SRScope's Winograd path does not use.
///
/// The pthreads build of OpenBLAS starts its workers when the library loads, and an idle worker
/// spins on `sched_yield` for about 2^28 cycles before it sleeps. A short `srscope upscale` on
/// a 2-core machine ran that spinning worker beside its own two for the whole process (perf: 0.11
/// CPU-s of `sched_yield` in a 0.23 s run of a small model).
public enum BLASThreadPool {
  /// Stops OpenBLAS's idle workers. OpenBLAS starts them again by itself on its next threaded call
  /// (its lazy re-initialisation, the one it uses after `fork`). A no-op where the library has
  /// no `blas_thread_shutdown_` (other BLAS builds).
  public static func stopIdleWorkers() {
    guard let symbol = dlsym(nil, "blas_thread_shutdown_") else { return }
    let shutdown = unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)
    BLASGate.withLock { _ = shutdown() }
  }
}
