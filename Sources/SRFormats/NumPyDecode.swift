import SRTensor
extension NumPy {
  /// Parses the Python-literal header dict `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`.
  static func parseHeader(_ h: String) throws(NumPyError) -> (String, Bool, [Int]) {
    func after(_ key: String) -> Substring? {
      guard let r = h.range(of: "'\(key)'") ?? h.range(of: "\"\(key)\"") else { return nil }
      let rest = h[r.upperBound...].drop { $0 == " " }
      return rest.first == ":" ? rest.dropFirst().drop { $0 == " " } : nil
    }
    guard let d = after("descr"), let q = d.first, q == "'" || q == "\"",
      let close = d.dropFirst().firstIndex(of: q)
    else { throw .invalidHeader("missing 'descr'") }
    let descr = String(d[d.index(after: d.startIndex)..<close])
    guard let f = after("fortran_order") else { throw .invalidHeader("missing 'fortran_order'") }
    let fortran: Bool
    if f.hasPrefix("True") { fortran = true } else if f.hasPrefix("False") { fortran = false } else {
      throw .invalidHeader("fortran_order is not True/False")
    }
    guard let s = after("shape"), s.first == "(", let end = s.firstIndex(of: ")") else {
      throw .invalidHeader("missing 'shape'")
    }
    var shape: [Int] = []
    for part in s[s.index(after: s.startIndex)..<end].split(separator: ",") {
      let t = part.trimmingCharacters(" ")
      if t.isEmpty { continue }
      guard let n = Int(t), n >= 0 else { throw .invalidHeader("bad shape entry '\(t)'") }
      shape.append(n)
    }
    return (descr, fortran, shape)
  }

  /// Maps an `.npy` descr like `<f4` or `|u1` to an element type and its byte order.
  static func elementType(_ descr: String) throws(NumPyError) -> (ElementType, bigEndian: Bool) {
    guard let order = descr.first, "<>|=".contains(order) else { throw .unsupportedDType(descr) }
    let types: [String: ElementType] = [
      "f2": .f16, "f4": .f32, "f8": .f64, "i1": .i8, "i2": .i16, "i4": .i32, "i8": .i64,
      "u1": .u8, "u2": .u16, "u4": .u32, "u8": .u64, "b1": .bool,
    ]
    guard let t = types[String(descr.dropFirst())] else { throw .unsupportedDType(descr) }
    return (t, order == ">")
  }

  /// Decodes raw array bytes to Doubles in C order.
  static func decode(descr: String, fortran: Bool, shape: [Int], bytes: [UInt8], base: Int, end: Int)
    throws(NumPyError) -> [Double]
  {
    let (type, bigEndian) = try elementType(descr)
    guard let count = Checked.product(shape), let needed = Checked.product(count, type.size) else {
      throw .invalidHeader("shape \(shape) overflows")
    }
    let available = max(0, end - base)
    guard needed <= available else { throw .truncated(needed: needed, available: available) }
    let raw = (0..<count).map { type.decode(bytes, base, $0, bigEndian: bigEndian) }
    guard fortran, shape.count > 1 else { return raw }
    // Fortran order: the first index varies fastest. Walk C order and track the F offset.
    var out = [Double](repeating: 0, count: count)
    var fStride = [Int](repeating: 1, count: shape.count)
    for d in 1..<shape.count { fStride[d] = fStride[d - 1] * shape[d - 1] }
    var index = [Int](repeating: 0, count: shape.count), pos = 0
    for i in 0..<count {
      out[i] = raw[pos]
      var d = shape.count - 1
      while d >= 0 {
        index[d] += 1
        pos += fStride[d]
        if index[d] < shape[d] { break }
        pos -= fStride[d] * shape[d]
        index[d] = 0
        d -= 1
      }
    }
    return out
  }
}

extension Substring {
  func trimmingCharacters(_ c: Character) -> String {
    String(drop { $0 == c }.reversed().drop { $0 == c }.reversed())
  }
}
