/// A restricted unpickler: a fixed opcode subset, allowlisted globals only, nothing is ever executed
/// (SR-SPEC §2.3). Every other GLOBAL throws `TorchCheckpointError.forbiddenGlobal` naming it.
public enum Pickle {
  /// Globals that may appear; calling them only builds data (dicts, tensor views, arrays).
  static let allowedGlobals: Set<String> = Set([
    "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_parameter", "numpy.core.multiarray._reconstruct",
    "numpy._core.multiarray._reconstruct", "numpy.ndarray", "numpy.dtype", "_codecs.encode",
  ]).union(storageTypes.keys.map { "torch." + $0 })

  /// Storage class names and their element types.
  static let storageTypes: [String: ElementType] = [
    "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
    "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
    "ByteStorage": .u8, "BoolStorage": .bool,
  ]

  /// Unpickles one object starting at byte 0.
  /// - Parameters:
  ///   - persistentLoad: maps a persistent id (BINPERSID) to a value; without it BINPERSID throws.
  /// - Throws: `TorchCheckpointError` (forbidden global, unsupported opcode, truncated, invalid).
  public static func load(_ bytes: [UInt8], persistentLoad: ((PickleValue) throws -> PickleValue)? = nil) throws
    -> PickleValue
  {
    try load(bytes, from: 0, persistentLoad: persistentLoad).value
  }

  /// Unpickles one object starting at `start`, returning it and the offset just past its STOP.
  public static func load(
    _ bytes: [UInt8], from start: Int, persistentLoad: ((PickleValue) throws -> PickleValue)? = nil
  ) throws -> (value: PickleValue, end: Int) {
    var m = Unpickler(r: ByteReader(bytes, offset: start), persistentLoad: persistentLoad)
    m.budget = 16 * (bytes.count - start) + 4096
    defer { m.breakCycles() }
    let item = try m.run()
    return (try m.finalize(item, depth: 0), m.r.offset)
  }
}

/// Mutable intermediate objects, shared by reference through the memo like Python objects.
final class ListBox { var items: [Item] = [] }
final class DictBox { var items: [(Item, Item)] = [] }
final class ArrayBox { var value = NDArrayValue(shape: [], descr: "", fortranOrder: false, data: []) }
final class DTypeBox { var kind: String; var order = "<"; init(_ k: String) { kind = k } }

/// A stack slot of the unpickler.
enum Item {
  case value(PickleValue), list(ListBox), dict(DictBox), array(ArrayBox), dtype(DTypeBox)
}

struct Unpickler {
  var r: ByteReader
  let persistentLoad: ((PickleValue) throws -> PickleValue)?
  var stack: [Item] = []
  var marks: [Int] = []
  var memo: [Int: Item] = [:]
  var opOffset = 0
  /// Node budget for `finalize`, so shared-reference bombs cannot blow up memory.
  var budget = 0
  /// Every list and dict made, so `breakCycles` can empty them: a pickle can make a list hold
  /// itself (through the memo), and ARC would never free such a cycle (found by FuzzPickle).
  var lists: [ListBox] = []
  var dicts: [DictBox] = []

  mutating func makeList() -> ListBox {
    let box = ListBox()
    lists.append(box)
    return box
  }

  mutating func makeDict() -> DictBox {
    let box = DictBox()
    dicts.append(box)
    return box
  }

  /// Empties every container, so none keeps another alive; call once the value is finalized
  /// (or the load failed).
  mutating func breakCycles() {
    for box in lists { box.items = [] }
    for box in dicts { box.items = [] }
    lists = []
    dicts = []
  }

  func invalid(_ reason: String) -> TorchCheckpointError { .invalidPickle(reason: reason, offset: opOffset) }

  mutating func pop() throws -> Item {
    guard stack.count > (marks.last ?? 0), let top = stack.popLast() else { throw invalid("stack underflow") }
    return top
  }

  mutating func popMark() throws -> [Item] {
    guard let m = marks.popLast(), m <= stack.count else { throw invalid("no MARK on the stack") }
    defer { stack.removeSubrange(m...) }
    return Array(stack[m...])
  }

  mutating func text(_ n: Int, utf8: Bool = true) throws -> String {
    let raw = try r.take(n)
    if let s = String(validating: raw, as: UTF8.self) { return s }
    return String(raw.map { Character(Unicode.Scalar($0)) })  // Python 2 str: decode as Latin-1
  }

  mutating func line() throws -> String {
    var chars: [UInt8] = []
    while true {
      let c = try r.u8()
      if c == 0x0A { return String(decoding: chars, as: UTF8.self) }
      chars.append(c)
      if chars.count > 256 { throw invalid("GLOBAL name too long") }
    }
  }

  mutating func length(_ n: UInt64) throws -> Int {
    guard n <= UInt64(r.remaining) else { throw TorchCheckpointError.truncated(what: "pickle", offset: r.offset) }
    return Int(n)
  }

  mutating func run() throws -> Item {
    do {
      while true {
        opOffset = r.offset
        let op = try r.u8()
        if op == 0x2E { return try pop() }  // STOP
        try step(op)
      }
    } catch is ByteReader.Overrun {
      throw TorchCheckpointError.truncated(what: "pickle", offset: r.offset)
    }
  }

  mutating func step(_ op: UInt8) throws {
    switch op {
    case 0x80: _ = try r.u8()  // PROTO
    case 0x95: try r.skip(8)  // FRAME
    case 0x28: marks.append(stack.count)  // MARK
    case 0x7D: stack.append(.dict(makeDict()))
    case 0x5D: stack.append(.list(makeList()))
    case 0x29: stack.append(.value(.tuple([])))
    case 0x74: stack.append(.value(.tuple(try popMark().map { try finalize($0, depth: 0) })))
    case 0x85, 0x86, 0x87:
      let n = Int(op - 0x84)
      guard stack.count - n >= (marks.last ?? 0) else { throw invalid("stack underflow") }
      let items = try stack.suffix(n).map { try finalize($0, depth: 0) }
      stack.removeLast(n)
      stack.append(.value(.tuple(items)))
    case 0x58: stack.append(.value(.string(try text(try length(UInt64(try r.u32()))))))
    case 0x8C: stack.append(.value(.string(try text(Int(try r.u8())))))
    case 0x8D: stack.append(.value(.string(try text(try length(try r.u64())))))
    case 0x55: stack.append(.value(.string(try text(Int(try r.u8())))))
    case 0x54:
      let n = try r.i32()
      guard n >= 0 else { throw invalid("negative BINSTRING length") }
      stack.append(.value(.string(try text(try length(UInt64(n))))))
    case 0x43: stack.append(.value(.bytes(Array(try r.take(Int(try r.u8()))))))
    case 0x42: stack.append(.value(.bytes(Array(try r.take(try length(UInt64(try r.u32())))))))
    case 0x4A: stack.append(.value(.int(Int(try r.i32()))))
    case 0x4B: stack.append(.value(.int(Int(try r.u8()))))
    case 0x4D: stack.append(.value(.int(Int(try r.u16()))))
    case 0x8A: stack.append(.value(long(Array(try r.take(Int(try r.u8()))))))
    case 0x8B:
      let n = try r.i32()
      guard n >= 0 else { throw invalid("negative LONG4 length") }
      stack.append(.value(long(Array(try r.take(try length(UInt64(n)))))))
    case 0x47:
      var bits: UInt64 = 0
      for _ in 0..<8 { bits = bits << 8 | UInt64(try r.u8()) }
      stack.append(.value(.float(Double(bitPattern: bits))))
    case 0x88: stack.append(.value(.bool(true)))
    case 0x89: stack.append(.value(.bool(false)))
    case 0x4E: stack.append(.value(.none))
    case 0x71: try put(Int(try r.u8()))
    case 0x72: try put(Int(try r.u32()))
    case 0x94: try put(memo.count)
    case 0x68: try get(Int(try r.u8()))
    case 0x6A: try get(Int(try r.u32()))
    case 0x63: try global(module: try line(), name: try line())
    case 0x93:
      guard case .value(.string(let name)) = try pop(), case .value(.string(let module)) = try pop() else {
        throw invalid("STACK_GLOBAL needs two strings")
      }
      try global(module: module, name: name)
    case 0x51:
      let pid = try finalize(try pop(), depth: 0)
      guard let load = persistentLoad else { throw invalid("persistent id without a loader") }
      stack.append(.value(try load(pid)))
    case 0x52, 0x81:
      let args = try finalize(try pop(), depth: 0)
      guard case .value(.global(let m, let n)) = try pop() else { throw invalid("call of a non-global") }
      stack.append(try call("\(m).\(n)", args.sequence ?? []))
    case 0x62: try build(state: try pop())
    case 0x73:
      let v = try pop(), k = try pop()
      guard case .dict(let d) = stack.last else { throw invalid("SETITEM on a non-dict") }
      d.items.append((k, v))
    case 0x75:
      let kv = try popMark()
      guard case .dict(let d) = stack.last, kv.count % 2 == 0 else { throw invalid("SETITEMS on a non-dict") }
      for i in stride(from: 0, to: kv.count, by: 2) { d.items.append((kv[i], kv[i + 1])) }
    case 0x61:
      let v = try pop()
      guard case .list(let l) = stack.last else { throw invalid("APPEND on a non-list") }
      l.items.append(v)
    case 0x65:
      let vs = try popMark()
      guard case .list(let l) = stack.last else { throw invalid("APPENDS on a non-list") }
      l.items += vs
    default:
      throw TorchCheckpointError.unsupportedPickleOpcode(byte: op, offset: opOffset)
    }
  }

  func long(_ b: [UInt8]) -> PickleValue {
    if b.isEmpty { return .int(0) }
    if b.count > 8 { return .bigInt(b) }
    var v: UInt64 = 0
    for (i, x) in b.enumerated() { v |= UInt64(x) << (8 * UInt64(i)) }
    if b.count < 8, let last = b.last, last & 0x80 != 0 { v |= ~0 << (8 * UInt64(b.count)) }
    return .int(Int(Int64(bitPattern: v)))
  }

  mutating func put(_ i: Int) throws {
    guard let top = stack.last else { throw invalid("PUT on an empty stack") }
    memo[i] = top
  }

  mutating func get(_ i: Int) throws {
    guard let v = memo[i] else { throw invalid("GET of unknown memo \(i)") }
    stack.append(v)
  }

  mutating func global(module: String, name: String) throws {
    guard Pickle.allowedGlobals.contains("\(module).\(name)") else {
      throw TorchCheckpointError.forbiddenGlobal(module: module, name: name)
    }
    stack.append(.value(.global(module: module, name: name)))
  }
}
