/// Errors reading or writing safetensors (cases mirror huggingface `safetensors/src/tensor.rs`).
public enum SafetensorsError: Error, Equatable, CustomStringConvertible, Sendable {
  /// The file is shorter than the 8-byte header length.
  case headerTooSmall(fileSize: Int)
  /// The declared header length exceeds the 100 MB cap.
  case headerTooLarge(declared: UInt64, limit: UInt64)
  /// The declared header length runs past the end of the file.
  case headerLongerThanFile(declared: UInt64, available: Int)
  /// The header is not valid UTF-8.
  case invalidUTF8
  /// The header does not start with `{`.
  case invalidHeaderStart
  /// The header is not valid JSON or not a JSON object.
  case invalidJSON(reason: String, offset: Int)
  /// `__metadata__` is not an object of strings.
  case invalidMetadata(key: String)
  /// A tensor entry lacks or mistypes `dtype`, `shape` or `data_offsets`.
  case invalidTensorInfo(name: String, reason: String)
  /// The dtype is not one this reader converts.
  case unknownDType(name: String, dtype: String)
  /// shape × element size differs from the byte range.
  case sizeMismatch(name: String, shape: [Int], dtype: String, byteCount: Int)
  /// `data_offsets` are reversed or past the data buffer.
  case offsetsOutOfRange(name: String, begin: Int, end: Int, bufferSize: Int)
  /// Two tensors share bytes.
  case overlappingOffsets(name: String, other: String)
  /// The tensors leave a hole in, or do not reach the end of, the data buffer.
  case notCovering(gapAt: Int, bufferSize: Int)
  /// A tensor name appears twice.
  case duplicateKey(String)
  /// Writing: a key listed in `keys` has no tensor, or a name is reserved.
  case invalidTensorName(String)

  /// A one-line message naming the subject, the problem and the numbers.
  public var description: String {
    switch self {
    case .headerTooSmall(let n):
      "safetensors: file has \(n) bytes; need at least 8 for the header length"
    case .headerTooLarge(let d, let l):
      "safetensors: header declares \(d) bytes; the limit is \(l)"
    case .headerLongerThanFile(let d, let a):
      "safetensors: header declares \(d) bytes but only \(a) bytes follow the length field"
    case .invalidUTF8: "safetensors: header is not valid UTF-8"
    case .invalidHeaderStart: "safetensors: header does not start with '{'"
    case .invalidJSON(let r, let o): "safetensors: header is not valid JSON: \(r) at header byte \(o)"
    case .invalidMetadata(let k) where k == "__metadata__": "safetensors: __metadata__ is not an object of string values"
    case .invalidMetadata(let k): "safetensors: __metadata__ value for '\(k)' is not a string"
    case .invalidTensorInfo(let n, let r): "safetensors: tensor '\(n)': \(r)"
    case .unknownDType(let n, let d): "safetensors: tensor '\(n)' has unsupported dtype '\(d)'"
    case .sizeMismatch(let n, let s, let d, let c):
      "safetensors: tensor '\(n)' has shape \(s) of \(d) but \(c) bytes"
    case .offsetsOutOfRange(let n, let b, let e, let s):
      "safetensors: tensor '\(n)' has data_offsets [\(b), \(e)] outside the \(s)-byte data buffer"
    case .overlappingOffsets(let n, let o): "safetensors: tensor '\(n)' overlaps tensor '\(o)'"
    case .notCovering(let g, let s):
      "safetensors: tensors do not cover the \(s)-byte data buffer: gap at byte \(g)"
    case .duplicateKey(let k): "safetensors: duplicate tensor name '\(k)'"
    case .invalidTensorName(let k): "safetensors: cannot write tensor '\(k)' (missing or reserved name)"
    }
  }
}
