import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The memory a command may plan to use when the user gives no `--max-memory`: three quarters of
/// the smaller of the machine's physical memory and the process's address-space limit
/// (`ulimit -v`), so a large request is refused with one line before allocating instead of
/// aborting inside the allocator.
public enum MemoryBudget {
  public static var machineDefault: Int {
    var limit = Int(clamping: ProcessInfo.processInfo.physicalMemory)
    var rl = rlimit()
    if getrlimit(Int32(RLIMIT_AS.rawValue), &rl) == 0, rl.rlim_cur != rlim_t.max {
      limit = min(limit, Int(clamping: rl.rlim_cur))
    }
    return limit / 4 * 3
  }

  /// `bytes` as `1.5 GB`, `12 MB` or `3 KB`.
  public static func describe(_ bytes: Int) -> String {
    if bytes >= 1 << 30 { return String(format: "%.1f GB", Double(bytes) / Double(1 << 30)) }
    if bytes >= 1 << 20 { return String(format: "%.0f MB", Double(bytes) / Double(1 << 20)) }
    return "\(max(0, bytes) >> 10) KB"
  }
}
