import Foundation
import SRTensor

/// How convolutions multiply, in training (`precision:` in a recipe) and inference (`--precision`).
public enum ConvPrecision: String, Sendable, CaseIterable {
  /// float32 throughout: the project's Winograd kernels (forward, input gradient) and oneDNN's fp32
  /// weight gradient in training.
  case fp32
  /// bf16 products with float32 accumulation (oneDNN: AMX-BF16 or AVX512-BF16 kernels); weights,
  /// optimiser and every other operation stay float32.
  case bf16

  /// The precision this CPU runs for `requested`, and a one-line note when it differs: bf16 needs
  /// oneDNN to dispatch to native bf16 instructions (AMX-BF16 or AVX512-BF16, found at run time);
  /// elsewhere bf16 would be emulated, slower than fp32, so fp32 runs.
  public static func available(_ requested: ConvPrecision) -> (precision: ConvPrecision, note: String?) {
    guard requested == .bf16 else { return (requested, nil) }
    let isa = DNNL.cpuISA
    guard ["avx512_core_amx", "avx512_core_bf16"].contains(isa) else {
      return (.fp32, "precision bf16: this CPU has no AMX-BF16 or AVX512-BF16 (oneDNN dispatches to \(isa)); running fp32")
    }
    return (.bf16, nil)
  }
}

