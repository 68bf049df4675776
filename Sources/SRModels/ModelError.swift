import SRTensor

/// Why a checkpoint could not be turned into a runnable network.
public enum ModelLoadError: Error, CustomStringConvertible, Equatable {
  /// No known architecture matches the keys; `closest` names the best partial match, if any.
  case unknownArchitecture(closest: String?, sampleKeys: [String])
  /// Keys the architecture needs but the checkpoint lacks (sorted, truncated in the message).
  case missingKeys([String])
  /// Keys the checkpoint has but the architecture does not use.
  case unexpectedKeys([String])
  /// A tensor whose shape differs from what the detected hyperparameters require.
  case shapeMismatch(key: String, expected: [Int], actual: [Int])
  /// A hyperparameter outside what the architecture supports.
  case unsupported(String)
  /// The input image cannot be run by this network.
  case badInput(String)

  public var description: String {
    switch self {
    case .unknownArchitecture(let closest, let sample):
      let hint = closest.map { " (closest: \($0))" } ?? ""
      return "unknown architecture\(hint); first keys: \(sample.prefix(4).joined(separator: ", "))"
    case .missingKeys(let keys):
      return "missing keys: \(Self.list(keys))"
    case .unexpectedKeys(let keys):
      return "unexpected keys: \(Self.list(keys))"
    case .shapeMismatch(let key, let expected, let actual):
      return "shape mismatch for '\(key)': expected \(Self.shape(expected)), got \(Self.shape(actual))"
    case .unsupported(let what):
      return "unsupported model: \(what)"
    case .badInput(let what):
      return "bad input: \(what)"
    }
  }

  static func list(_ keys: [String]) -> String {
    let sorted = keys.sorted()
    let shown = sorted.prefix(5).joined(separator: ", ")
    return sorted.count > 5 ? "\(shown) (and \(sorted.count - 5) more)" : shown
  }

  static func shape(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }
}
