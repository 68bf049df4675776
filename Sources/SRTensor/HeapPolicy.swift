import CKernels

/// How the process heap treats the large, short-lived buffers of inference.
///
/// glibc serves every allocation above its mmap threshold (at most 32 MB) with a fresh mapping
/// and unmaps it on free, so each layer output of a large image faults in all of its pages again
/// (the kernel zeroes each one: `clear_page` and `exc_page_fault` were 7-9% of a 256x256 SRResNet
/// run). Serving everything from the heap and never trimming it lets the next layer reuse the
/// pages the previous one freed. The process then keeps its peak heap until it exits or calls
/// `returnFreeMemory`.
public enum HeapPolicy {
  /// Serves large allocations from the reusable heap (glibc only; elsewhere a no-op).
  public static func reuseFreedMemory() {
    srs_reuse_freed_memory()
  }

  /// Hands the heap's free pages back to the system: for a long-running process (the viewer) once
  /// its burst of inference is over.
  public static func returnFreeMemory() {
    srs_return_free_memory()
  }

  /// Blocks glibc currently serves with their own mapping (nil without glibc).
  static var mappedBlocks: Int? {
    let n = srs_mapped_blocks()
    return n < 0 ? nil : n
  }
}
