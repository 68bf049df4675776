/// The only "calls" the unpickler performs: building data for allowlisted globals.
extension Unpickler {
  mutating func call(_ name: String, _ args: [PickleValue]) throws -> Item {
    switch name {
    case "collections.OrderedDict":
      let d = makeDict()
      for pair in args.first?.sequence ?? [] {
        guard let kv = pair.sequence, kv.count == 2 else { throw invalid("OrderedDict item is not a pair") }
        d.items.append((.value(kv[0]), .value(kv[1])))
      }
      return .dict(d)
    case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
      guard args.count >= 4, case .storage(let s) = args[0], let offset = args[1].intValue,
        let size = ints(args[2]), let stride = ints(args[3]), size.count == stride.count,
        offset >= 0, size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 })
      else { throw invalid("bad arguments to \(name)") }
      return .value(.tensorRef(TorchTensorRef(storage: s, offset: offset, size: size, stride: stride)))
    case "torch._utils._rebuild_parameter":
      guard let t = args.first else { throw invalid("bad arguments to \(name)") }
      return .value(t)
    case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct":
      return .array(ArrayBox())
    case "numpy.dtype":
      guard let kind = args.first?.stringValue else { throw invalid("bad arguments to numpy.dtype") }
      return .dtype(DTypeBox(kind))
    case "_codecs.encode":
      guard let s = args.first?.stringValue, s.unicodeScalars.allSatisfy({ $0.value < 256 }) else {
        throw invalid("bad arguments to _codecs.encode")
      }
      return .value(.bytes(s.unicodeScalars.map { UInt8($0.value) }))
    default:
      throw invalid("'\(name)' is not callable")
    }
  }

  func ints(_ v: PickleValue) -> [Int]? {
    guard let seq = v.sequence else { return nil }
    var out: [Int] = []
    for x in seq {
      guard let i = x.intValue else { return nil }
      out.append(i)
    }
    return out
  }

  mutating func build(state: Item) throws {
    guard let target = stack.last else { throw invalid("BUILD on an empty stack") }
    let s = try finalize(state, depth: 0)
    switch target {
    case .dict, .value(.tensorRef), .value(.tensor):
      return  // OrderedDict `_metadata`, tensor python attributes: not needed
    case .dtype(let box):
      if let seq = s.sequence, seq.count > 1, let order = seq[1].stringValue { box.order = order }
    case .array(let box):
      guard let seq = s.sequence, seq.count == 5, let shape = ints(seq[1]),
        shape.allSatisfy({ $0 >= 0 }), let descr = seq[2].stringValue, let fortran = seq[3].intValue
      else { throw invalid("bad ndarray state") }
      let data: [UInt8]
      switch seq[4] {
      case .bytes(let b): data = b
      case .string(let t) where t.unicodeScalars.allSatisfy({ $0.value < 256 }):
        data = t.unicodeScalars.map { UInt8($0.value) }
      default: throw invalid("ndarray data is not raw bytes (object arrays are unsupported)")
      }
      box.value = NDArrayValue(shape: shape, descr: descr, fortranOrder: fortran != 0, data: data)
    default:
      throw invalid("BUILD on unsupported object")
    }
  }

  /// Converts a stack item into an immutable value (depth- and size-limited, so cycles throw).
  mutating func finalize(_ item: Item, depth: Int) throws -> PickleValue {
    budget -= 1
    guard depth < 100, budget >= 0 else { throw invalid("object nesting too deep, cyclic or too large") }
    switch item {
    case .value(let v):
      return v
    case .list(let b):
      return .list(try b.items.map { try finalize($0, depth: depth + 1) })
    case .dict(let b):
      return .dict(try b.items.map { (try finalize($0.0, depth: depth + 1), try finalize($0.1, depth: depth + 1)) })
    case .array(let b):
      return .ndarray(b.value)
    case .dtype(let b):
      return .string((b.order == "=" ? "<" : b.order) + b.kind)
    }
  }
}
