import CBLAS
import Dispatch
import Foundation

/// The process-wide degree of parallelism for SRScope's own loops, OpenBLAS products included:
/// OpenBLAS itself runs single-threaded and `GEMM` splits each product over these workers, so the
/// process has one thread pool and the cores are never oversubscribed.
public enum Parallel {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var _threads: Int = ProcessInfo.processInfo.activeProcessorCount

  /// The number of worker threads used by `forEach` and `GEMM`.
  public static var threads: Int {
    lock.lock(); defer { lock.unlock() }
    return _threads
  }

  /// Sets the thread count for SRScope loops and products (clamped to at least 1), and stops
  /// OpenBLAS's own pool (started when the library loads) at once instead of at the first product.
  public static func setThreads(_ n: Int) {
    let value = max(1, n)
    lock.lock(); _threads = value; lock.unlock()
    GEMM.useSingleThreadedBLAS()
  }

  /// Runs `body(i)` for `i` in `0..<count`, split into contiguous chunks over
  /// `threads` workers. Runs inline when there is one thread or one item.
  public static func forEach(_ count: Int, _ body: (Int) -> Void) {
    forEachRange(count) { range in
      for i in range { body(i) }
    }
  }

  /// Splits `0..<count` into one contiguous range per worker (at most `threads`) and runs
  /// `body(range)` for each, so that a worker can set up its buffers once. Inline for one worker,
  /// and inline inside another call's worker: the outer split already uses every thread (the
  /// trainer runs samples in parallel, and each sample's im2col and products inline).
  public static func forEachRange(_ count: Int, _ body: (Range<Int>) -> Void) {
    let workers = isWorker ? 1 : min(threads, count)
    if workers <= 1 {
      if count > 0 { body(0..<count) }
      return
    }
    withoutActuallyEscaping(body) { body in
      let task = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: workers) { w in
        pthread_setspecific(workerKey, workerMark)
        defer { pthread_setspecific(workerKey, nil) }
        task.value((count * w / workers)..<(count * (w + 1) / workers))
      }
    }
  }

  /// Whether the calling thread is running a `forEachRange` worker's body.
  static var isWorker: Bool { pthread_getspecific(workerKey) != nil }

  /// Thread-specific slot that is non-nil while a thread runs a worker's body.
  private static let workerKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "Parallel: no thread-specific key")
    return key
  }()
  nonisolated(unsafe) private static let workerMark = UnsafeRawPointer(bitPattern: 1)

  /// The OpenBLAS core kernel in use (e.g. `Haswell`, `Cooperlake`), for benchmark reports.
  public static var blasCoreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }
}

/// Wraps a value that the caller guarantees is safe to share across the workers of one
/// `Parallel.forEach` call (each worker touches disjoint data).
public struct UncheckedSendable<Value>: @unchecked Sendable {
  /// The wrapped value.
  public let value: Value
  /// Wraps `value`.
  public init(_ value: Value) { self.value = value }
}
