import Foundation
import Yams

/// The keys a YAML document may hold, level by level. A key that is not listed is an error naming
/// it and the valid ones, so a misspelt or unsupported setting (`precision: bf16` in a recipe that
/// has no such key) is never silently ignored.
public indirect enum KeySchema: Sendable {
  /// A scalar, or anything the decoder checks itself.
  case value
  /// A mapping with exactly these optional keys.
  case mapping([String: KeySchema])
  /// A sequence whose every element follows the schema.
  case list(KeySchema)
}

/// A configuration file (manifest, recipe) that cannot be used: one line, with the file, the
/// `line:column` where known, and the reason.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
  public var path: String
  public var line: Int?
  public var column: Int?
  public var reason: String

  public init(path: String, line: Int? = nil, column: Int? = nil, reason: String) {
    self.path = path; self.line = line; self.column = column; self.reason = reason
  }

  public var description: String {
    let place = line.map { l in column.map { "\(l):\($0)" } ?? "\(l)" }
    return ([path] + (place.map { [$0] } ?? []) + [reason]).joined(separator: ": ")
  }
}

/// Decodes YAML (a superset of JSON) after checking its keys against a `KeySchema`; every error is
/// one line with `line:column` (libyaml's multi-line context and snippet are dropped).
public enum StrictYAML {
  /// Parses `text`, rejects keys outside `schema`, then decodes `T`.
  /// - Parameter path: the file, used in errors.
  public static func decode<T: Decodable>(_ type: T.Type, from text: String, path: String,
                                          schema: KeySchema) throws(ConfigError) -> T {
    let node: Node
    do {
      guard let n = try Yams.compose(yaml: text) else { throw ConfigError(path: path, reason: "empty document") }
      node = n
    } catch let error as ConfigError {
      throw error
    } catch {
      throw describe(error, path: path)
    }
    try check(node, schema: schema, where: [], path: path)
    do {
      return try YAMLDecoder().decode(T.self, from: node)
    } catch let error as DecodingError {
      throw describe(error, root: node, path: path)
    } catch {
      throw ConfigError(path: path, reason: Printable.oneLine("\(error)"))
    }
  }

  /// Walks `node` and throws on the first key the schema does not list.
  static func check(_ node: Node, schema: KeySchema, where keyPath: [String], path: String) throws(ConfigError) {
    switch (schema, node) {
    case (.value, _):
      return
    case (.mapping(let keys), .mapping(let mapping)):
      for (key, value) in mapping {
        let name = key.string ?? "\(key)"
        guard let sub = keys[name] else {
          let place = keyPath.isEmpty ? "" : " in \(keyPath.joined(separator: "."))"
          throw ConfigError(path: path, line: key.mark?.line, column: key.mark?.column,
                            reason: "unknown key '\(Printable.escape(name))'\(place) (valid: \(keys.keys.sorted().joined(separator: ", ")))")
        }
        try check(value, schema: sub, where: keyPath + [name], path: path)
      }
    case (.list(let element), .sequence(let sequence)):
      for (i, item) in sequence.enumerated() {
        try check(item, schema: element, where: keyPath + ["\(i)"], path: path)
      }
    case (.mapping, _):
      let place = keyPath.isEmpty ? "the document" : keyPath.joined(separator: ".")
      throw ConfigError(path: path, line: node.mark?.line, column: node.mark?.column,
                        reason: "\(place) must be a mapping of keys to values")
    case (.list, _):
      throw ConfigError(path: path, line: node.mark?.line, column: node.mark?.column,
                        reason: "\(keyPath.joined(separator: ".")) must be a list")
    }
  }

  /// libyaml's error, reduced to its problem and position.
  static func describe(_ error: Error, path: String) -> ConfigError {
    guard let yaml = error as? YamlError else { return ConfigError(path: path, reason: Printable.oneLine("\(error)")) }
    switch yaml {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
      return ConfigError(path: path, line: mark.line, column: mark.column, reason: "invalid YAML: \(Printable.oneLine(problem))")
    case .reader(let problem, _, _, _):
      return ConfigError(path: path, reason: "invalid YAML: \(Printable.oneLine(problem))")
    case .duplicatedKeysInMapping(let duplicates, let context):
      return ConfigError(path: path, line: context.mark.line, column: context.mark.column,
                         reason: "duplicate keys: \(duplicates.map { Printable.escape($0) }.joined(separator: ", "))")
    default:
      return ConfigError(path: path, reason: "invalid YAML: \(Printable.oneLine("\(yaml)"))")
    }
  }

  /// A decoding error as "key.path: what was wrong", at the node it concerns.
  static func describe(_ error: DecodingError, root: Node, path: String) -> ConfigError {
    func name(_ codingPath: [CodingKey]) -> String {
      codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
    let codingPath: [CodingKey], reason: String
    switch error {
    case .keyNotFound(let key, let context):
      codingPath = context.codingPath
      let parent = name(context.codingPath)
      reason = "missing key '\(key.stringValue)'" + (parent.isEmpty ? "" : " in \(parent)")
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
      codingPath = context.codingPath
      reason = "\(name(context.codingPath)): expected \(typeName(type))"
    case .dataCorrupted(let context):
      codingPath = context.codingPath
      reason = "\(name(context.codingPath)): \(Printable.oneLine(context.debugDescription))"
    @unknown default:
      codingPath = []
      reason = Printable.oneLine("\(error)")
    }
    let mark = node(at: codingPath, in: root)?.mark
    return ConfigError(path: path, line: mark?.line, column: mark?.column, reason: reason)
  }

  static func typeName(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type, is UInt64.Type, is Int64.Type: return "an integer"
    case is Double.Type, is Float.Type: return "a number"
    case is Bool.Type: return "true or false"
    case is String.Type: return "a string"
    default:
      let s = "\(type)"
      return s.hasPrefix("Array") ? "a list" : s.hasPrefix("Dictionary") ? "a mapping" : s
    }
  }

  /// The node a coding path leads to (nil when it does not exist).
  static func node(at codingPath: [CodingKey], in root: Node) -> Node? {
    var current = root
    for key in codingPath {
      if let i = key.intValue, let seq = current.sequence, seq.indices.contains(i) {
        current = seq[i]
      } else if let next = current.mapping?[Node(key.stringValue)] {
        current = next
      } else {
        return current
      }
    }
    return current
  }
}

/// Makes text from files safe for a one-line terminal message.
public enum Printable {
  /// Control bytes and non-printable scalars as `\n`, `\t`, `\0`, `\x0b`, `\u{...}`.
  public static func escape(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
      switch u {
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      case "\0": out += "\\0"
      default:
        if u.value < 0x20 || u.value == 0x7F { out += String(format: "\\x%02x", u.value) }
        else if (0x80..<0xA0).contains(u.value) || u.properties.generalCategory == .format { out += "\\u{\(String(u.value, radix: 16))}" }
        else { out.unicodeScalars.append(u) }
      }
    }
    return out
  }

  /// The first line of `s`, escaped.
  public static func oneLine(_ s: String) -> String {
    escape(String(s.split(separator: "\n", omittingEmptySubsequences: true).first ?? ""))
  }
}
