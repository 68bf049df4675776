import Foundation

/// Keeps OpenBLAS from running its generic SSE3 kernels on a CPU it does not recognise.
///
/// OpenBLAS (DYNAMIC_ARCH builds such as Debian's 0.3.21) picks its kernel set once, when the
/// library loads: from `OPENBLAS_CORETYPE` if set, else from the CPU model. A CPU newer than the
/// library (or one a hypervisor reports as a bare "Intel Xeon Processor") falls back to the
/// `Prescott` kernels, which run SRScope's convolutions at about a third of the AVX2/AVX-512 speed.
/// When `OPENBLAS_CORETYPE` is unset and the loaded kernels are of a lower tier than the CPU's
/// own feature flags allow, `srscope` re-executes itself once with `OPENBLAS_CORETYPE` naming
/// the best matching kernel set. An explicit `OPENBLAS_CORETYPE` is always left alone.
public enum BLASKernelChoice {
  /// Kernel tiers: 3 = AVX-512, 2 = AVX2 + FMA, 1 = anything older or unknown.
  static func tier(ofCore name: String) -> Int {
    switch name.lowercased() {
    case "skylakex", "cooperlake", "sapphirerapids": return 3
    case "haswell", "zen": return 2
    default: return 1
    }
  }

  /// The OpenBLAS core name for a CPU with these `/proc/cpuinfo` flags, or nil below AVX2 + FMA.
  static func bestCore(flags: Set<String>) -> String? {
    if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) {
      return flags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
    }
    if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
    return nil
  }

  /// The `OPENBLAS_CORETYPE` value to re-execute with, or nil to keep the loaded kernels.
  public static func override(environment: [String: String], loadedCore: String, cpuFlags: Set<String>) -> String? {
    guard environment["OPENBLAS_CORETYPE"] == nil, let best = bestCore(flags: cpuFlags) else { return nil }
    return tier(ofCore: best) > tier(ofCore: loadedCore) ? best : nil
  }

  /// The flags line of the first processor in `/proc/cpuinfo` (empty off Linux or on error).
  static func cpuFlags(cpuinfo: String) -> Set<String> {
    for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
    return []
  }

  /// Re-executes the running program with `OPENBLAS_CORETYPE` set when `override` says so.
  /// Returns normally (nothing to do, or `execv` failed) otherwise.
  public static func reexecIfMisdetected() {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    guard let core = override(environment: ProcessInfo.processInfo.environment, loadedCore: Parallel.blasCoreName,
                              cpuFlags: cpuFlags(cpuinfo: cpuinfo)) else { return }
    setenv("OPENBLAS_CORETYPE", core, 1)
    var argv = CommandLine.arguments.map { strdup($0) } + [nil]
    execv("/proc/self/exe", &argv)
    // execv only returns on failure: carry on with the loaded kernels.
    unsetenv("OPENBLAS_CORETYPE")
  }
}
