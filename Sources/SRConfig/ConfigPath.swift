import Foundation

/// Paths written in configuration files (manifests, recipes): `${VAR}` (e.g. `${SRSCOPE_ASSETS}`,
/// which defaults to `~/.cache/srscope`) and `~` are expanded, and relative paths are relative to the
/// file's folder. Files keep the paths as written, so they hold no paths of the machine that ran them.
public enum ConfigPath {
  /// Expands `${VAR}` and `~`, and makes relative paths relative to `base` (unless it is empty).
  public static func resolve(_ raw: String, base: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    var s = raw
    var env = environment
    if env["SRSCOPE_ASSETS"] == nil { env["SRSCOPE_ASSETS"] = NSHomeDirectory() + "/.cache/srscope" }
    while let r = s.range(of: "${"), let end = s[r.upperBound...].firstIndex(of: "}") {
      let name = String(s[r.upperBound..<end])
      s.replaceSubrange(r.lowerBound...end, with: env[name] ?? "")
    }
    if s.hasPrefix("~/") { s = NSHomeDirectory() + s.dropFirst(1) }
    if !s.hasPrefix("/") && !base.isEmpty { s = base + "/" + s }
    return s
  }
}
