import Foundation
import SRTensor

/// One layer line of an ncnn `.param` file, with the weights read for it from the `.bin`.
public struct NCNNLayer: Sendable, Equatable {
  /// The layer type, e.g. `Convolution`, `Eltwise`.
  public var type: String
  /// The layer name (second column), e.g. `Conv_0`.
  public var name: String
  /// Names of the consumed blobs, in order.
  public var inputs: [String]
  /// Names of the produced blobs, in order.
  public var outputs: [String]
  /// Scalar parameters written without `.`/`e`, keyed by parameter id.
  public var intParams: [Int: Int]
  /// Scalar parameters written with `.` or `e`, keyed by parameter id.
  public var floatParams: [Int: Float]
  /// Array parameters (`-233xx=count,v...`), keyed by the parameter id `xx`.
  public var arrayParams: [Int: [Float]]
  /// Weights in file order: Convolution `[weight OIHW, bias [O]]` (bias only if param 5 = 1),
  /// PReLU `[slopes [num_slope]]`, other layers empty.
  public var weights: [Tensor]
  /// The 1-based `.param` line this layer came from (0 when built in code).
  public var line: Int

  /// Creates a layer; `line` is only used in error messages.
  public init(type: String, name: String, inputs: [String], outputs: [String],
              intParams: [Int: Int] = [:], floatParams: [Int: Float] = [:],
              arrayParams: [Int: [Float]] = [:], weights: [Tensor] = [], line: Int = 0) {
    self.type = type
    self.name = name
    self.inputs = inputs
    self.outputs = outputs
    self.intParams = intParams
    self.floatParams = floatParams
    self.arrayParams = arrayParams
    self.weights = weights
    self.line = line
  }

  /// Integer parameter `key`, or `defaultValue` when absent (a float written value is truncated).
  public func int(_ key: Int, default defaultValue: Int) -> Int {
    if let v = intParams[key] { return v }
    if let f = floatParams[key], f.isFinite, abs(f) < 1e9 { return Int(f) }
    return defaultValue
  }

  /// Float parameter `key`, or `defaultValue` when absent (an int written value is converted).
  public func float(_ key: Int, default defaultValue: Float) -> Float {
    if let f = floatParams[key] { return f }
    if let v = intParams[key] { return Float(v) }
    return defaultValue
  }
}

/// A parsed ncnn network: the layers in file (topological) order.
public struct NCNNGraph: Sendable, Equatable {
  /// Layers in `.param` order; ncnn requires every input blob to be produced earlier.
  public var layers: [NCNNLayer]

  /// Creates a graph from layers in topological order.
  public init(layers: [NCNNLayer]) {
    self.layers = layers
  }
}

/// Reader for ncnn `.param` / `.bin` pairs as shipped with Real-ESRGAN's ncnn builds.
///
/// Format facts: SR-SPEC §2.7. Only the layer types those exports use are accepted; an
/// unknown type is an error rather than a silently skipped layer, because the `.bin` has no
/// names and a skipped layer with weights would misalign every later buffer.
public enum NCNNModel {
  /// The layer types this reader accepts.
  public static let knownLayerTypes: Set<String> = [
    "Input", "Split", "Concat", "Eltwise", "BinaryOp", "Interp", "PixelShuffle",
    "Convolution", "PReLU",
  ]

  /// Parses a `.param` text and reads every layer's weights from the `.bin` bytes.
  /// - Parameters:
  ///   - param: the full `.param` text (magic `7767517` on line 1).
  ///   - bin: the full `.bin` contents; must be consumed exactly.
  /// - Returns: the graph with Convolution and PReLU weights filled in.
  /// - Throws: `NCNNError` (bad magic, malformed lines, unknown layer, undefined blob,
  ///   unsupported weight tag, short or over-long `.bin`).
  public static func parse(param: String, bin: [UInt8]) throws -> NCNNGraph {
    var layers = try NCNNParamParser.parse(param)
    var reader = NCNNWeightReader(bytes: bin)
    for i in layers.indices {
      layers[i].weights = try reader.readWeights(for: layers[i])
    }
    if reader.remaining != 0 {
      throw NCNNError.trailingBytes(count: reader.remaining, consumed: reader.offset)
    }
    return NCNNGraph(layers: layers)
  }

  /// Reads `paramPath` and the `.bin` beside it (same path with the extension replaced).
  /// - Throws: `NCNNError.io` when either file cannot be read, otherwise as `parse`.
  public static func read(paramPath: String) throws -> NCNNGraph {
    let binPath = URL(fileURLWithPath: paramPath).deletingPathExtension().appendingPathExtension("bin").path
    let paramBytes = try load(paramPath)
    guard let text = String(validating: paramBytes, as: UTF8.self) else {
      throw NCNNError.io(path: paramPath, reason: "not UTF-8 text")
    }
    return try parse(param: text, bin: try load(binPath))
  }

  /// A regular file's bytes (`InputFile`: no FIFO, device or directory).
  private static func load(_ path: String) throws -> [UInt8] {
    do { return try InputFile.read(path) } catch { throw NCNNError.io(path: path, reason: error.reason) }
  }
}
