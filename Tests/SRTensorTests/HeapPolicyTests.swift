import Foundation
import Testing

@testable import SRTensor

@Suite struct HeapPolicyTests {
  /// With the policy on, a 16 MB block comes from the heap, not from its own mapping (glibc maps
  /// blocks above 128 KB by default): the count of mapped blocks does not grow. (Other tests may
  /// free mapped blocks meanwhile, so it may shrink; none can map one once the policy is on.)
  @Test func largeBlocksComeFromTheHeap() throws {
    HeapPolicy.reuseFreedMemory()
    let before = try #require(HeapPolicy.mappedBlocks, "not glibc")
    let block = try #require(malloc(16 << 20))
    defer { free(block) }
    memset(block, 1, 16 << 20)
    #expect(try #require(HeapPolicy.mappedBlocks) <= before, "a 16 MB block was mapped: the heap policy is off")
  }
}
