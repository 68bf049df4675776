import Foundation
import Testing

@testable import SRTensor

@Suite struct ParallelTests {
  /// A call made inside another call's worker runs inline (one range, the worker's own thread): the
  /// trainer splits samples over the workers and each sample's im2col and products stay on its worker.
  @Test func nestedCallsRunInline() {
    let saved = Parallel.threads
    defer { Parallel.setThreads(saved) }
    Parallel.setThreads(2)
    let lock = NSLock()
    var outer: [(range: Range<Int>, worker: Bool, inner: [Range<Int>])] = []
    Parallel.forEachRange(2) { range in
      var inner: [Range<Int>] = []
      Parallel.forEachRange(10) { inner.append($0) }
      let worker = Parallel.isWorker
      lock.withLock { outer.append((range, worker, inner)) }
    }
    #expect(outer.allSatisfy { $0.inner == [0..<10] }, "\(outer)")
    // Another test may set one thread meanwhile; with two the outer call ran on two workers.
    if outer.count == 2 { #expect(outer.allSatisfy { $0.worker }) }
    #expect(!Parallel.isWorker)
  }
}
