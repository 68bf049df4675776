import CKernels

/// How the process heap treats the large, short-lived buffers of inference.
///
/// glibc serves every allocation above its mmap threshold (at most 32 MB) with a fresh mapping
/// and unmaps it on free, so each layer output of a large image faults in all of its pages again
/// (the kernel zeroes each one: `clear_page` and `exc_page_fault` were 7-9% of a 256x256 SRResNet
/// run). Serving everything from the heap and never trimming it lets the next layer reuse the
/// pages the previous one freed. The process then keeps its peak heap until it exits.
public enum HeapPolicy {
  /// Serves large allocations from the reusable heap (glibc only; elsewhere a no-op).
  public static func reuseFreedMemory() {
    srs_reuse_freed_memory()
  }
}
