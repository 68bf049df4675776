/// A minimal JSON value that keeps object members in file order (needed for safetensors headers).
enum JSONValue: Equatable {
  case null, bool(Bool), number(Double, isInteger: Bool, int: Int?), string(String)
  case array([JSONValue]), object([(String, JSONValue)])

  static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case let (.bool(x), .bool(y)): x == y
    case let (.number(x, _, _), .number(y, _, _)): x == y
    case let (.string(x), .string(y)): x == y
    case let (.array(x), .array(y)): x == y
    case let (.object(x), .object(y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
    default: false
    }
  }
}

/// A JSON syntax error with its byte offset.
struct JSONError: Error {
  var reason: String
  var offset: Int
}

/// A small recursive-descent JSON parser over UTF-8 bytes (RFC 8259, depth-limited).
struct JSONParser {
  private let b: [UInt8]
  private var i: Int
  private let end: Int
  private var depth = 0

  /// Parses one JSON value spanning `bytes[start..<end]` (trailing whitespace allowed).
  static func parse(_ bytes: [UInt8], start: Int = 0, end: Int? = nil) throws(JSONError) -> JSONValue {
    var p = JSONParser(b: bytes, i: start, end: end ?? bytes.count)
    let v = try p.value()
    p.ws()
    guard p.i == p.end else { throw JSONError(reason: "trailing characters", offset: p.i) }
    return v
  }

  private init(b: [UInt8], i: Int, end: Int) { self.b = b; self.i = i; self.end = end }

  private mutating func ws() {
    while i < end, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
  }

  private func fail(_ reason: String) -> JSONError { JSONError(reason: reason, offset: i) }

  private mutating func expect(_ word: String) throws(JSONError) {
    for c in word.utf8 {
      guard i < end, b[i] == c else { throw fail("invalid literal") }
      i += 1
    }
  }

  private mutating func value() throws(JSONError) -> JSONValue {
    ws()
    guard i < end else { throw fail("unexpected end of input") }
    switch b[i] {
    case UInt8(ascii: "{"): return try object()
    case UInt8(ascii: "["): return try array()
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try expect("true"); return .bool(true)
    case UInt8(ascii: "f"): try expect("false"); return .bool(false)
    case UInt8(ascii: "n"): try expect("null"); return .null
    default: return try number()
    }
  }

  private mutating func nest() throws(JSONError) {
    depth += 1
    if depth > 64 { throw fail("nesting deeper than 64") }
  }

  private mutating func object() throws(JSONError) -> JSONValue {
    try nest(); defer { depth -= 1 }
    i += 1
    var members: [(String, JSONValue)] = []
    ws()
    if i < end, b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
    while true {
      ws()
      guard i < end, b[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
      let k = try string()
      ws()
      guard i < end, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
      i += 1
      members.append((k, try value()))
      ws()
      guard i < end else { throw fail("unexpected end of input") }
      if b[i] == UInt8(ascii: ",") { i += 1; continue }
      if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
      throw fail("expected ',' or '}'")
    }
  }

  private mutating func array() throws(JSONError) -> JSONValue {
    try nest(); defer { depth -= 1 }
    i += 1
    var items: [JSONValue] = []
    ws()
    if i < end, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
    while true {
      items.append(try value())
      ws()
      guard i < end else { throw fail("unexpected end of input") }
      if b[i] == UInt8(ascii: ",") { i += 1; continue }
      if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
      throw fail("expected ',' or ']'")
    }
  }

  private mutating func hex4() throws(JSONError) -> UInt32 {
    guard end - i >= 4 else { throw fail("truncated \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = b[i]
      guard let d = Character(Unicode.Scalar(c)).hexDigitValue else { throw fail("bad \\u escape") }
      v = v << 4 | UInt32(d)
      i += 1
    }
    return v
  }

  private mutating func string() throws(JSONError) -> String {
    i += 1
    var out: [UInt8] = []
    while true {
      guard i < end else { throw fail("unterminated string") }
      let c = b[i]
      i += 1
      if c == UInt8(ascii: "\"") { break }
      if c < 0x20 { throw fail("control character in string") }
      if c != UInt8(ascii: "\\") { out.append(c); continue }
      guard i < end else { throw fail("unterminated escape") }
      let e = b[i]
      i += 1
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
      case UInt8(ascii: "b"): out.append(8)
      case UInt8(ascii: "f"): out.append(12)
      case UInt8(ascii: "n"): out.append(10)
      case UInt8(ascii: "r"): out.append(13)
      case UInt8(ascii: "t"): out.append(9)
      case UInt8(ascii: "u"):
        var u = try hex4()
        if (0xD800..<0xDC00).contains(u), end - i >= 6, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
          i += 2
          let lo = try hex4()
          guard (0xDC00..<0xE000).contains(lo) else { throw fail("bad surrogate pair") }
          u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
        }
        guard let s = Unicode.Scalar(u) else { throw fail("invalid code point") }
        out.append(contentsOf: Array(String(Character(s)).utf8))
      default: throw fail("bad escape")
      }
    }
    guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
    return s
  }

  private mutating func number() throws(JSONError) -> JSONValue {
    let start = i
    var isInt = true
    while i < end, let c = Optional(b[i]),
      (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
        || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
    {
      if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isInt = false }
      i += 1
    }
    let text = String(decoding: b[start..<i], as: UTF8.self)
    guard !text.isEmpty, let d = Double(text) else { i = start; throw fail("invalid value") }
    return .number(d, isInteger: isInt, int: isInt ? Int(text) : nil)
  }
}

/// Escapes a string as a JSON string literal.
func jsonQuote(_ s: String) -> String {
  var out = "\""
  for u in s.unicodeScalars {
    switch u {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    default:
      if u.value < 0x20 {
        let h = String(u.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
      } else { out.unicodeScalars.append(u) }
    }
  }
  return out + "\""
}
