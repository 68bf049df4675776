/// Errors reading PyTorch checkpoints and the pickles inside them (STYLE.md §2.5).
public enum TorchCheckpointError: Error, Equatable, CustomStringConvertible, Sendable {
  /// Neither a zip nor a legacy torch pickle stream.
  case unrecognizedContainer
  /// A required zip record such as `<prefix>/data.pkl` or `<prefix>/data/3` is absent.
  case missingRecord(String)
  /// A zip record is compressed (torch never compresses; the file was re-zipped).
  case compressedRecord(String, method: UInt16)
  /// The zip is a TorchScript archive (`constants.pkl` / `code/`), not a state dict.
  case torchScriptArchive
  /// The zip structure itself is broken.
  case zip(ZipError)
  /// A pickle opcode outside the supported subset (SR-SPEC §2.3).
  case unsupportedPickleOpcode(byte: UInt8, offset: Int)
  /// A GLOBAL outside the allowlist; this is the security boundary.
  case forbiddenGlobal(module: String, name: String)
  /// A well-formed but nonsensical pickle (stack underflow, wrong argument types, cycles).
  case invalidPickle(reason: String, offset: Int)
  /// A storage class or dtype this reader does not decode.
  case unsupportedStorage(String)
  /// A tensor or storage reads past the end of its storage bytes.
  case storageOutOfRange(key: String, needed: Int, available: Int)
  /// The input ends before the structure being read.
  case truncated(what: String, offset: Int)
  /// The `byteorder` record is neither "little" nor "big".
  case unsupportedByteOrder(String)
  /// The unpickled object holds no tensors in any of the recognised places.
  case notAStateDict(String)

  /// A one-line message naming the subject, the problem and the numbers.
  public var description: String {
    switch self {
    case .unrecognizedContainer: "not a PyTorch checkpoint (neither a zip nor a legacy pickle stream)"
    case .missingRecord(let n): "missing record '\(n)' in the zip checkpoint"
    case .compressedRecord(let n, let m):
      "record '\(n)' is compressed (method \(m)); torch stores records uncompressed, re-save with torch.save"
    case .torchScriptArchive:
      "this is a TorchScript archive (constants.pkl), not a state dict; save model.state_dict() instead"
    case .zip(let e): e.description
    case .unsupportedPickleOpcode(let b, let o):
      "unsupported pickle opcode 0x\(String(b, radix: 16, uppercase: true)) at offset \(o)"
    case .forbiddenGlobal(let m, let n): "forbidden global '\(m).\(n)'"
    case .invalidPickle(let r, let o): "invalid pickle at offset \(o): \(r)"
    case .unsupportedStorage(let t): "unsupported storage type '\(t)'"
    case .storageOutOfRange(let k, let need, let have):
      "storage '\(k)' needs \(need) elements but has \(have)"
    case .truncated(let w, let o): "\(w) truncated at offset \(o)"
    case .unsupportedByteOrder(let s): "unsupported byteorder record '\(s)'"
    case .notAStateDict(let s): "the checkpoint holds no state dict: \(s)"
    }
  }

  /// The reading stage for path-wrapped messages ("reading pickle", "reading zip", …).
  public var stage: String {
    switch self {
    case .unsupportedPickleOpcode, .forbiddenGlobal, .invalidPickle: "reading pickle"
    case .zip, .missingRecord, .compressedRecord, .torchScriptArchive: "reading zip"
    case .unsupportedStorage, .storageOutOfRange, .unsupportedByteOrder: "reading storages"
    case .truncated(let w, _): w == "pickle" ? "reading pickle" : "reading storages"
    case .unrecognizedContainer, .notAStateDict: "reading checkpoint"
    }
  }
}
