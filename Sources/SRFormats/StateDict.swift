import SRTensor

/// Named float tensors in file order, plus string metadata, as read from any checkpoint container.
public struct StateDict: Sendable {
  /// The tensors by key.
  public var tensors: [String: Tensor]
  /// The keys in insertion order (the order in the file).
  public var keys: [String]
  /// String metadata (safetensors `__metadata__`, scalar training state, the wrapper key used).
  public var metadata: [String: String]

  /// Creates a state dict; `keys` defaults to the tensor keys sorted.
  public init(tensors: [String: Tensor] = [:], keys: [String]? = nil, metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.keys = keys ?? tensors.keys.sorted()
    self.metadata = metadata
  }

  /// The tensor for `key`; setting a new key appends it to `keys`, setting nil removes it.
  public subscript(key: String) -> Tensor? {
    get { tensors[key] }
    set {
      let existed = tensors[key] != nil
      tensors[key] = newValue
      if newValue == nil {
        if existed { keys.removeAll { $0 == key } }
      } else if !existed {
        keys.append(key)
      }
    }
  }

  /// The number of tensors.
  public var count: Int { tensors.count }
}

/// The checkpoint container kinds recognised by their first bytes (SR-SPEC §2.1).
public enum CheckpointFormat: String, Sendable {
  /// Hugging Face safetensors.
  case safetensors
  /// PyTorch ≥ 1.6 zip checkpoint.
  case torchZip
  /// Legacy (pre-1.6) PyTorch pickle stream.
  case torchLegacy
  /// ncnn text `.param` file.
  case ncnnParam
  /// NumPy `.npz` (zip of `.npy` members).
  case numpyZip
}

/// Picks a container format from magic bytes alone; never trusts file extensions.
public enum CheckpointSniffer {
  /// The legacy torch prefix: PROTO 2 then LONG1 of the magic number 0x1950a86a20f9469cfc6c.
  static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

  /// The format the bytes look like, or nil. A zip whose first member ends in `.npy` is `numpyZip`.
  public static func sniff(_ bytes: [UInt8]) -> CheckpointFormat? {
    if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
      return firstZipMemberName(bytes)?.hasSuffix(".npy") == true ? .numpyZip : .torchZip
    }
    if bytes.starts(with: legacyMagic) { return .torchLegacy }
    if bytes.starts(with: Array("7767517".utf8)), bytes.count > 7, bytes[7] == 0x0A || bytes[7] == 0x0D {
      return .ncnnParam
    }
    if bytes.count >= 9, bytes[8] == UInt8(ascii: "{") { return .safetensors }
    return nil
  }

  /// True if the bytes carry the `ustar` tar signature at offset 257 (pre-0.4 torch tar files).
  public static func isTar(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 262 && Array(bytes[257..<262]) == Array("ustar".utf8)
  }

  private static func firstZipMemberName(_ b: [UInt8]) -> String? {
    guard let n = ByteReader.u16(b, at: 26), b.count >= 30 + Int(n) else { return nil }
    return String(decoding: b[30..<30 + Int(n)], as: UTF8.self)
  }
}
