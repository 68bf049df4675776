import SRTensor

extension TorchCheckpoint {
  /// Replaces every `.tensorRef` in `value` by a materialised `.tensor`, reading storages via `root`.
  static func materialise(_ value: PickleValue, root: (TorchStorageRef) throws -> [Float]) throws -> PickleValue {
    switch value {
    case .tensorRef(let ref): return .tensor(try gather(ref, root: try root(ref.storage)))
    case .list(let a): return .list(try a.map { try materialise($0, root: root) })
    case .tuple(let a): return .tuple(try a.map { try materialise($0, root: root) })
    case .dict(let items):
      return .dict(try items.map { ($0.0, try materialise($0.1, root: root)) })
    default: return value
    }
  }

  /// Gathers a strided view: element i sits at offset + Σ idx_d·stride_d (in elements).
  static func gather(_ ref: TorchTensorRef, root: [Float]) throws -> Tensor {
    let s = ref.storage
    var start = 0, available = root.count
    if let v = s.view {
      guard v.offset <= root.count, v.numel <= root.count - v.offset else {
        throw TorchCheckpointError.storageOutOfRange(key: v.key, needed: Checked.sum(v.offset, v.numel) ?? Int.max,
                                                     available: root.count)
      }
      start = v.offset
      available = v.numel
    }
    // A dimension of size 1 is never stepped along, whatever its stride says (a file may say 2^63-1).
    let strides = zip(ref.size, ref.stride).map { $0 == 1 ? 0 : $1 }
    var numel = 1, span = ref.offset
    for (n, st) in zip(ref.size, strides) {
      guard let p = Checked.product(numel, n), let reach = Checked.product(max(n - 1, 0), st),
            let sum = Checked.sum(span, reach) else {
        throw TorchCheckpointError.storageOutOfRange(key: s.key, needed: Int.max, available: available)
      }
      numel = p
      span = sum
    }
    if numel == 0 { return Tensor(shape: ref.size, data: []) }
    guard span < available, numel <= max(available, 1 << 24) else {
      throw TorchCheckpointError.storageOutOfRange(key: s.key, needed: min(span, Int.max - 1) + 1, available: available)
    }
    let base = start + ref.offset
    if isContiguous(ref.size, strides) { return Tensor(shape: ref.size, data: Array(root[base..<base + numel])) }
    var data = [Float](repeating: 0, count: numel)
    var index = [Int](repeating: 0, count: ref.size.count)
    var pos = base
    for i in 0..<numel {
      data[i] = root[pos]
      var d = ref.size.count - 1
      while d >= 0 {
        index[d] += 1
        pos += strides[d]
        if index[d] < ref.size[d] { break }
        pos -= strides[d] * ref.size[d]
        index[d] = 0
        d -= 1
      }
    }
    return Tensor(shape: ref.size, data: data)
  }

  static func isContiguous(_ size: [Int], _ stride: [Int]) -> Bool {
    var expected = 1
    for d in stride.indices.reversed() where size[d] != 1 {
      if stride[d] != expected { return false }
      expected *= size[d]
    }
    return true
  }

  /// Picks the state dict inside an unpickled checkpoint and flattens it (SR-SPEC §2.5).
  /// - Throws: `TorchCheckpointError.notAStateDict` when no tensors are found.
  public static func stateDict(from object: PickleValue) throws -> StateDict {
    guard case .dict = object else { throw TorchCheckpointError.notAStateDict("top-level object is a \(object.typeName)") }
    var dict = StateDict()
    var chosen = object
    for wrapper in ["params_ema", "params", "state_dict"] {
      if let inner = object[wrapper], case .dict = inner {
        chosen = inner
        dict.metadata["torch.wrapper"] = wrapper
        break
      }
    }
    flatten(chosen, prefix: "", into: &dict, depth: 0)
    if dict.keys.isEmpty { throw TorchCheckpointError.notAStateDict("no tensors found") }
    if dict.keys.allSatisfy({ $0.hasPrefix("module.") }) {
      var stripped = StateDict(metadata: dict.metadata)
      for k in dict.keys { stripped[String(k.dropFirst(7))] = dict.tensors[k] }
      stripped.metadata["torch.strippedPrefix"] = "module."
      dict = stripped
    }
    return dict
  }

  static func flatten(_ value: PickleValue, prefix: String, into dict: inout StateDict, depth: Int) {
    guard case .dict(let items) = value, depth < 32 else { return }
    for (k, v) in items {
      guard let name = k.stringValue ?? k.intValue.map(String.init) else { continue }
      let key = prefix + name
      switch v {
      case .tensor(let t): dict[key] = t
      case .dict: flatten(v, prefix: key + ".", into: &dict, depth: depth + 1)
      case .int(let i): dict.metadata[key] = String(i)
      case .float(let f): dict.metadata[key] = String(f)
      case .bool(let b): dict.metadata[key] = String(b)
      case .string(let s): dict.metadata[key] = s
      default: continue
      }
    }
  }
}
