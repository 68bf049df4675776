import Foundation
import SRTensor

/// oneDNN convolutions, one per layer, batch shape, activation and precision, made on first use
/// and kept (oneDNN JIT-compiles its kernels when a primitive is made). They cut the batch into
/// `DNNLConvolution.Threading.fixedSlices`, so every pass (the weight gradient too) has the same
/// bits on any thread count.
public enum OneDNNConvolutions {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var cache: [String: DNNLConvolution] = [:]
  nonisolated(unsafe) private static var reported = Set<String>()

  /// The 3x3 "same" convolution of `layer` over `n` samples of `h` x `w`, or nil (after a
  /// one-line note on stderr, once per shape) when oneDNN cannot make it.
  public static func convolution(_ layer: ConvLayer, n: Int, h: Int, w: Int, activation: Activation,
                                 precision: DNNLConvolution.Precision = .bf16, variant: String = "") -> DNNLConvolution? {
    convolution(key: "\(ObjectIdentifier(layer).hashValue) \(variant)", inChannels: layer.inC, outChannels: layer.outC,
                n: n, h: h, w: w, activation: activation, precision: precision)
  }

  /// The convolution cached under `key` (a layer and variant) for this shape, activation and precision.
  static func convolution(key: String, inChannels: Int, outChannels: Int, n: Int, h: Int, w: Int,
                          activation: Activation, precision: DNNLConvolution.Precision = .bf16) -> DNNLConvolution? {
    let geometry = DNNLConvolution.Geometry(batch: n, inChannels: inChannels, outChannels: outChannels, height: h,
                                            width: w, kernel: 3, stride: 1, padding: 1)
    let key = "\(key) \(geometry) \(activation) \(precision)"
    lock.lock(); defer { lock.unlock() }
    if let hit = cache[key] { return hit }
    do {
      let conv = try DNNLConvolution(geometry, precision: precision, activation: activation, threading: .fixedSlices)
      cache[key] = conv
      return conv
    } catch {
      if reported.insert("\(geometry)").inserted {
        FileHandle.standardError.write(Data("srscope: oneDNN \(precision) convolution \(geometry) unavailable (\(error)); running the project's kernels\n".utf8))
      }
      return nil
    }
  }
}
