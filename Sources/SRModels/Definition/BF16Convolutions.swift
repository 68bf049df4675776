import Foundation
import SRTensor

/// oneDNN convolutions for bf16, one per layer, batch shape and activation, made on first use and
/// kept (oneDNN JIT-compiles its kernels when a primitive is made).
public enum BF16Convolutions {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var cache: [String: DNNLConvolution] = [:]
  nonisolated(unsafe) private static var reported = Set<String>()

  /// The 3x3 "same" bf16 convolution of `layer` over `n` samples of `h` x `w`, or nil (after a
  /// one-line note on stderr, once per shape) when oneDNN cannot make it.
  public static func convolution(_ layer: ConvLayer, n: Int, h: Int, w: Int, activation: Activation,
                                 variant: String = "") -> DNNLConvolution? {
    convolution(key: "\(ObjectIdentifier(layer).hashValue) \(variant)", inChannels: layer.inC, outChannels: layer.outC,
                n: n, h: h, w: w, activation: activation)
  }

  /// The bf16 convolution cached under `key` (a layer and variant) for this shape and activation.
  static func convolution(key: String, inChannels: Int, outChannels: Int, n: Int, h: Int, w: Int,
                          activation: Activation) -> DNNLConvolution? {
    let geometry = DNNLConvolution.Geometry(batch: n, inChannels: inChannels, outChannels: outChannels, height: h,
                                            width: w, kernel: 3, stride: 1, padding: 1)
    let key = "\(key) \(geometry) \(activation)"
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
