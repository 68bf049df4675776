import Foundation

/// Serialises SRScope's OpenBLAS work across threads.
///
/// OpenBLAS's thread count and its worker pool are process-wide: `Parallel.setThreads` changes
/// the count and `BLASThreadPool` stops idle workers. Without this gate an im2col conv on another
/// thread (the viewer's crop LPIPS beside background work, or concurrent tests) could run while
/// they change: an earlier path that switched the count around every Winograd call made results
/// depend on timing (LPIPS of an image against itself came out non-zero), and OpenBLAS does not
/// promise safety there.
public enum BLASGate {
  private static let lock = NSRecursiveLock()

  /// Runs `body` while holding the process-wide BLAS lock.
  public static func withLock<T>(_ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }
}
