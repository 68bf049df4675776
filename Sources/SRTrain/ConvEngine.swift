import Foundation
import SRModels
import SRTensor

/// How the trainer's (and bf16 inference's) convolutions multiply.
public enum ConvPrecision: String, Sendable, CaseIterable {
  /// float32 throughout: the project's Winograd kernels and tap products.
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

/// oneDNN convolutions for bf16, one per layer, batch shape and activation, made on first use and
/// kept (oneDNN JIT-compiles its kernels when a primitive is made).
enum BF16Convolutions {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var cache: [String: DNNLConvolution] = [:]
  nonisolated(unsafe) private static var reported = Set<String>()

  /// The 3x3 "same" bf16 convolution of `layer` over `n` samples of `h` x `w`, or nil (after a
  /// one-line note on stderr, once per shape) when oneDNN cannot make it.
  static func convolution(_ layer: ConvLayer, n: Int, h: Int, w: Int, activation: Activation) -> DNNLConvolution? {
    let geometry = DNNLConvolution.Geometry(batch: n, inChannels: layer.inC, outChannels: layer.outC, height: h,
                                            width: w, kernel: 3, stride: 1, padding: 1)
    let key = "\(ObjectIdentifier(layer).hashValue) \(geometry) \(activation)"
    lock.lock(); defer { lock.unlock() }
    if let hit = cache[key] { return hit }
    do {
      let conv = try DNNLConvolution(geometry, precision: .bf16, activation: activation)
      cache[key] = conv
      return conv
    } catch {
      if reported.insert("\(geometry)").inserted {
        FileHandle.standardError.write(Data("srscope: bf16 convolution \(geometry) unavailable (\(error)); running it in fp32\n".utf8))
      }
      return nil
    }
  }
}
