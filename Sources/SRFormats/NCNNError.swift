/// A failure while reading an ncnn `.param` / `.bin` pair or mapping it to BasicSR keys.
///
/// Line numbers are 1-based lines of the `.param` text; layer names are the second column
/// of a layer line (ncnn's own logs report the same pair).
public enum NCNNError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The first line is not the ncnn magic `7767517`.
  case badMagic(found: String)
  /// Line 2 is not `layer_count blob_count` with two non-negative integers.
  case malformedHeader(line: Int, text: String)
  /// A layer line is missing columns or has non-numeric blob counts.
  case malformedLayer(line: Int, reason: String)
  /// A `key=value` token could not be parsed.
  case badParam(line: Int, layer: String, token: String)
  /// The layer type is not one this reader knows how to read.
  case unknownLayer(type: String, name: String, line: Int)
  /// The number of layer lines differs from the count declared on line 2.
  case layerCountMismatch(declared: Int, found: Int)
  /// More distinct blobs are produced than the count declared on line 2.
  case blobCountMismatch(declared: Int, found: Int)
  /// A layer consumes a blob that no earlier layer produced.
  case undefinedBlob(name: String, layer: String, line: Int)
  /// A required layer parameter is absent or out of range.
  case invalidParam(key: Int, layer: String, line: Int, reason: String)
  /// A type-0 weight buffer starts with a storage tag this reader does not decode.
  case unsupportedWeightTag(tag: UInt32, layer: String, line: Int)
  /// The `.bin` ends before a layer's weights are complete.
  case binTooShort(layer: String, line: Int, offset: Int, needed: Int, available: Int)
  /// The `.bin` has bytes left after the last layer's weights.
  case trailingBytes(count: Int, consumed: Int)
  /// A layer parameter (or parameter value) that SRScope does not run: nothing is silently dropped.
  case unsupportedParam(type: String, layer: String, line: Int, key: Int, reason: String)
  /// The graph is neither RRDBNet nor SRVGGNetCompact as exported by Real-ESRGAN.
  case unrecognizedGraph(String)
  /// A file could not be read.
  case io(path: String, reason: String)

  /// One line: subject first, then the problem, then expected vs actual.
  public var description: String {
    switch self {
    case .badMagic(let found):
      return "ncnn param: line 1: bad magic '\(found)'; expected 7767517"
    case .malformedHeader(let line, let text):
      return "ncnn param: line \(line): expected 'layer_count blob_count', found '\(text)'"
    case .malformedLayer(let line, let reason):
      return "ncnn param: line \(line): malformed layer line: \(reason)"
    case .badParam(let line, let layer, let token):
      return "ncnn param: line \(line): layer '\(layer)': cannot parse parameter '\(token)'"
    case .unknownLayer(let type, let name, let line):
      return "ncnn param: line \(line): layer '\(name)' has unknown type '\(type)'"
    case .layerCountMismatch(let declared, let found):
      return "ncnn param: header declares \(declared) layers, file has \(found)"
    case .blobCountMismatch(let declared, let found):
      return "ncnn param: header declares \(declared) blobs, layers produce \(found)"
    case .undefinedBlob(let name, let layer, let line):
      return "ncnn param: line \(line): layer '\(layer)' reads blob '\(name)' that no earlier layer produces"
    case .invalidParam(let key, let layer, let line, let reason):
      return "ncnn param: line \(line): layer '\(layer)': param \(key) \(reason)"
    case .unsupportedWeightTag(let tag, let layer, let line):
      let hex = String(tag, radix: 16, uppercase: true)
      return "ncnn bin: layer '\(layer)' (param line \(line)): unsupported weight storage tag 0x\(hex); "
        + "only float32 (0x0) and float16 (0x1306B47) are supported"
    case .binTooShort(let layer, let line, let offset, let needed, let available):
      return "ncnn bin: layer '\(layer)' (param line \(line)): needs \(needed) bytes at offset \(offset), "
        + "only \(available) remain"
    case .trailingBytes(let count, let consumed):
      return "ncnn bin: \(count) unused bytes after the last weight (consumed \(consumed))"
    case .unsupportedParam(let type, let layer, let line, let key, let reason):
      return "ncnn param: line \(line): \(type) '\(layer)': param \(key) \(reason)"
    case .unrecognizedGraph(let reason):
      return "ncnn graph: not a recognised RRDBNet or SRVGGNetCompact: \(reason)"
    case .io(let path, let reason):
      return "\(path): \(reason)"
    }
  }
}
