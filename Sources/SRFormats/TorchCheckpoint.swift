import SRTensor

/// Reads PyTorch `.pth` checkpoints: zip (torch ≥ 1.6, SR-SPEC §2.2) and legacy (§2.4).
public enum TorchCheckpoint {
  /// Reads a checkpoint and returns its state dict: `params_ema`, else `params`, else `state_dict`,
  /// else the top dict; nested dicts are flattened with "." and a leading `module.` is stripped
  /// (§2.5). Scalars found next to tensors go to `metadata`; `metadata["torch.wrapper"]` names the
  /// wrapper key used.
  /// - Throws: `TorchCheckpointError`.
  public static func read(_ bytes: [UInt8]) throws -> StateDict {
    try stateDict(from: try readObject(bytes))
  }

  /// The raw unpickled top-level object with every tensor materialised as Float.
  /// - Throws: `TorchCheckpointError`.
  public static func readObject(_ bytes: [UInt8]) throws -> PickleValue {
    if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return try readZip(bytes) }
    if bytes.starts(with: CheckpointSniffer.legacyMagic) { return try readLegacy(bytes) }
    throw TorchCheckpointError.unrecognizedContainer
  }

  // MARK: zip

  static func readZip(_ bytes: [UInt8]) throws -> PickleValue {
    let zip: ZipArchive
    do { zip = try ZipArchive(bytes) } catch { throw TorchCheckpointError.zip(error) }
    guard let first = zip.entries.first else { throw TorchCheckpointError.missingRecord("data.pkl") }
    if zip.entries.contains(where: { $0.name.hasSuffix("constants.pkl") || $0.name.contains("/code/") }) {
      throw TorchCheckpointError.torchScriptArchive
    }
    let prefix = first.name.firstIndex(of: "/").map { String(first.name[...$0]) } ?? ""
    func record(_ name: String) throws -> Range<Int>? {
      guard let e = zip.entry(named: prefix + name) else { return nil }
      guard e.method == 0 else { throw TorchCheckpointError.compressedRecord(e.name, method: e.method) }
      do { return try zip.dataRange(of: e) } catch { throw TorchCheckpointError.zip(error) }
    }
    var bigEndian = false
    if let r = try record("byteorder") {
      let order = String(decoding: bytes[r], as: UTF8.self).trimmingSpaces
      guard order == "little" || order == "big" else { throw TorchCheckpointError.unsupportedByteOrder(order) }
      bigEndian = order == "big"
    }
    guard let pkl = try record("data.pkl") else { throw TorchCheckpointError.missingRecord(prefix + "data.pkl") }
    let object = try Pickle.load(Array(bytes[pkl]), persistentLoad: storageRef)
    var cache = StorageCache()
    return try materialise(object) { s throws in
      if let hit = cache.floats[s.key] { return hit }
      let name = "data/" + s.key
      guard let type = Pickle.storageTypes[s.className] else { throw TorchCheckpointError.unsupportedStorage(s.className) }
      guard let r = try record(name) else { throw TorchCheckpointError.missingRecord(prefix + name) }
      guard r.count / type.size >= s.numel else {
        throw TorchCheckpointError.storageOutOfRange(key: s.key, needed: s.numel, available: r.count / type.size)
      }
      let floats = type.decodeFloats(bytes, base: r.lowerBound, count: s.numel, bigEndian: bigEndian)
      cache.floats[s.key] = floats
      return floats
    }
  }

  /// Decodes a persistent id `('storage', StorageClass, key, location, numel[, view_metadata])`.
  static func storageRef(_ pid: PickleValue) throws -> PickleValue {
    guard let t = pid.sequence, t.count >= 5, t[0].stringValue == "storage",
      case .global(_, let cls) = t[1], let key = t[2].stringValue ?? t[2].intValue.map(String.init),
      let numel = t[4].intValue, numel >= 0
    else { throw TorchCheckpointError.invalidPickle(reason: "unrecognised persistent id", offset: 0) }
    guard Pickle.storageTypes[cls] != nil else { throw TorchCheckpointError.unsupportedStorage(cls) }
    var view: TorchStorageRef.View?
    if t.count >= 6, let v = t[5].sequence {
      guard v.count == 3, let vk = v[0].stringValue, let off = v[1].intValue, let n = v[2].intValue,
        off >= 0, n >= 0
      else { throw TorchCheckpointError.invalidPickle(reason: "bad storage view metadata", offset: 0) }
      view = .init(key: vk, offset: off, numel: n)
    }
    return .storage(TorchStorageRef(className: cls, key: key, numel: numel, view: view))
  }

  // MARK: legacy

  static func readLegacy(_ bytes: [UInt8]) throws -> PickleValue {
    var offset = 0
    func next(_ loader: ((PickleValue) throws -> PickleValue)? = nil) throws -> PickleValue {
      let (v, end) = try Pickle.load(bytes, from: offset, persistentLoad: loader)
      offset = end
      return v
    }
    _ = try next()  // magic (already sniffed)
    guard try next().intValue == 1001 else {
      throw TorchCheckpointError.invalidPickle(reason: "legacy protocol version is not 1001", offset: offset)
    }
    if case .bool(false) = try next()["little_endian"] ?? .none { throw TorchCheckpointError.unsupportedByteOrder("big") }
    var roots: [String: TorchStorageRef] = [:]
    let object = try next { pid in
      let s = try storageRef(pid)
      if case .storage(let ref) = s { roots[ref.key] = ref }
      return s
    }
    guard let keys = try next().sequence?.compactMap(\.stringValue) else {
      throw TorchCheckpointError.invalidPickle(reason: "legacy storage key list missing", offset: offset)
    }
    var cache = StorageCache()
    var r = ByteReader(bytes, offset: offset)
    for key in keys {
      guard let root = roots[key], let type = Pickle.storageTypes[root.className] else {
        throw TorchCheckpointError.invalidPickle(reason: "storage key '\(key)' was never referenced", offset: r.offset)
      }
      do {
        let count = Int(try r.i64())
        guard count >= 0, count <= r.remaining / type.size else {
          throw TorchCheckpointError.truncated(what: "storage '\(key)'", offset: r.offset)
        }
        cache.floats[key] = type.decodeFloats(bytes, base: r.offset, count: count)
        try r.skip(count * type.size)
      } catch is ByteReader.Overrun { throw TorchCheckpointError.truncated(what: "storage '\(key)'", offset: r.offset) }
    }
    return try materialise(object) { s in
      guard let floats = cache.floats[s.key] else { throw TorchCheckpointError.missingRecord("storage '\(s.key)'") }
      return floats
    }
  }
}

/// Decoded root storages by key (storages are shared between tensors).
struct StorageCache { var floats: [String: [Float]] = [:] }

extension String {
  var trimmingSpaces: String {
    String(self.drop { $0 == " " || $0 == "\n" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\n" || $0 == "\r" }.reversed())
  }
}
