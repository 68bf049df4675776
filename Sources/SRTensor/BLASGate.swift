import Foundation

/// Serialises SRScope's OpenBLAS work across threads.
///
/// The Winograd path runs its 36 GEMMs on `Parallel` workers with OpenBLAS switched to one thread,
/// then switches it back; OpenBLAS's thread count is process-wide. Without this gate a conv on
/// another thread (the viewer's crop LPIPS beside background inference, or concurrent tests) could
/// run while the count is being changed: its result then depended on timing (seen as LPIPS of an
/// image against itself coming out non-zero) and OpenBLAS does not promise safety there.
public enum BLASGate {
  private static let lock = NSRecursiveLock()

  /// Runs `body` while holding the process-wide BLAS lock.
  public static func withLock<T>(_ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }
}
