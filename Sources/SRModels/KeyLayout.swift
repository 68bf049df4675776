import SRFormats

/// The key naming scheme a checkpoint was written with (SR-SPEC §1.3-1.5).
public enum KeyLayout: String, Sendable {
  case basicSR = "BasicSR"
  case esrgan2019 = "ESRGAN-2019 (RRDB_trunk)"
  case esrgan2018 = "ESRGAN-2018 old arch (model.N)"
  case basicSR2019 = "BasicSR-2019 (recon_trunk)"
  case basicSR2018 = "BasicSR-2018 (model.N)"
  case ncnnGraph = "ncnn graph (converted to BasicSR keys)"
}

/// One renaming rule applied to every key: a pure function, so the rules read as data.
struct KeyRule: Sendable {
  let apply: @Sendable (String) -> String

  /// Replaces every occurrence of `old` by `new`.
  static func replace(_ old: String, _ new: String) -> KeyRule {
    KeyRule { $0.replacingOccurrences(of: old, with: new) }
  }

  /// Replaces a leading `old` by `new`.
  static func prefix(_ old: String, _ new: String) -> KeyRule {
    KeyRule { $0.hasPrefix(old) ? new + $0.dropFirst(old.count) : $0 }
  }
}

/// Brings any supported layout to the canonical names the architectures read.
enum KeyCanonicalizer {
  /// ESRGAN 2019 -> BasicSR (BasicSR `convert_esrgan_model` renames).
  static let esrgan2019Rules: [KeyRule] = [
    .prefix("RRDB_trunk.", "body."), .replace(".RDB", ".rdb"), .prefix("trunk_conv.", "conv_body."),
    .prefix("upconv1.", "conv_up1."), .prefix("upconv2.", "conv_up2."), .prefix("HRconv.", "conv_hr."),
  ]

  /// BasicSR 2019 MSRResNet -> BasicSR 1.x MSRResNet.
  static let basicSR2019Rules: [KeyRule] = [.prefix("recon_trunk.", "body."), .prefix("HRconv.", "conv_hr.")]

  /// Strips DataParallel prefixes, detects the layout and renames keys to the canonical scheme.
  static func canonicalize(_ dict: StateDict) throws -> (StateDict, KeyLayout) {
    var d = rename(dict, [.prefix("module.", "")])
    let keys = Set(d.tensors.keys)
    if keys.contains(where: { $0.hasPrefix("RRDB_trunk.") }) {
      return (rename(d, esrgan2019Rules), .esrgan2019)
    }
    if keys.contains(where: { $0.hasPrefix("recon_trunk.") }) {
      return (rename(d, basicSR2019Rules), .basicSR2019)
    }
    if keys.contains(where: { $0.hasPrefix("model.1.sub.0.RDB1.") }) {
      d = try renameOldRRDB(d)
      return (d, .esrgan2018)
    }
    if keys.contains(where: { $0.hasPrefix("model.1.sub.0.res.") }) { return (d, .basicSR2018) }
    return (d, .basicSR)
  }

  static func rename(_ dict: StateDict, _ rules: [KeyRule]) -> StateDict {
    var out = StateDict(metadata: dict.metadata)
    for key in dict.keys {
      guard let t = dict.tensors[key] else { continue }
      out[rules.reduce(key) { $1.apply($0) }] = t
    }
    return out
  }

  /// ESRGAN 2018 old arch: `model.0` first conv, `model.1.sub.{b}.RDB{r}.conv{c}.0`, `model.1.sub.{nb}`
  /// trunk conv, upsampling convs at `model.{3k}`, HR conv at `model.{3n+2}`, last at `model.{3n+4}`.
  static func renameOldRRDB(_ dict: StateDict) throws -> StateDict {
    let keys = dict.tensors.keys
    let nb = countIndexed(keys, prefix: "model.1.sub.") - 1
    let top = countIndexed(keys, prefix: "model.")
    let stages = (top - 5) / 3
    guard stages == 2, top == 11 else {
      throw ModelLoadError.unsupported("ESRGAN old-arch model with scale 2^\(stages) (only x4 is supported)")
    }
    var rules: [KeyRule] = [
      KeyRule { key in
        // model.1.sub.{b}.RDB{r}.conv{c}.0.weight -> body.{b}.rdb{r}.conv{c}.weight
        guard key.hasPrefix("model.1.sub."), key.contains(".RDB") else { return key }
        let rest = key.dropFirst("model.1.sub.".count).replacingOccurrences(of: ".RDB", with: ".rdb")
        return "body." + rest.replacingOccurrences(of: ".0.weight", with: ".weight")
          .replacingOccurrences(of: ".0.bias", with: ".bias")
      },
      .prefix("model.1.sub.\(nb).", "conv_body."),
      .prefix("model.0.", "conv_first."),
    ]
    for k in 1...stages { rules.append(.prefix("model.\(3 * k).", "conv_up\(k).")) }
    rules.append(.prefix("model.\(3 * stages + 2).", "conv_hr."))
    rules.append(.prefix("model.\(3 * stages + 4).", "conv_last."))
    return rename(dict, rules)
  }
}
