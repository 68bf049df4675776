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
  /// `body(range)` for each, so that a worker can set up its buffers once. Inline for one worker.
  public static func forEachRange(_ count: Int, _ body: (Range<Int>) -> Void) {
    let workers = min(threads, count)
    if workers <= 1 {
      if count > 0 { body(0..<count) }
      return
    }
    withoutActuallyEscaping(body) { body in
      let task = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: workers) { w in
        task.value((count * w / workers)..<(count * (w + 1) / workers))
      }
    }
  }

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
