import CNCursesW
import Foundation

/// Whether half-blocks may use 24-bit colour: `COLORTERM` says `truecolor`/`24bit`, the terminfo
/// entry has `RGB` or `Tc`, or tmux reports `RGB` among the client's features (tmux 3.2+
/// `#{client_termfeatures}`; inside tmux the outer terminal's COLORTERM is usually not passed on).
/// `--colors 24bit|256` overrides the detection.
public enum ColorSupport {
  /// What answered: nil when none of the sources says 24-bit.
  public static func trueColorSource(environment: [String: String], terminfoFlag: (String) -> Bool,
                                     tmuxFeatures: () -> String?) -> String? {
    if ["truecolor", "24bit"].contains(environment["COLORTERM"]?.lowercased() ?? "") { return "COLORTERM" }
    if terminfoFlag("RGB") || terminfoFlag("Tc") { return "terminfo" }
    if environment["TMUX"] != nil, let features = tmuxFeatures(),
       features.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "RGB" }) {
      return "tmux"
    }
    return nil
  }

  /// The detection against the real environment, terminfo and tmux.
  public static func detectTrueColor(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
    trueColorSource(environment: environment, terminfoFlag: terminfoHas, tmuxFeatures: { tmuxClientFeatures() }) != nil
  }

  /// Whether the current `TERM`'s terminfo entry has the boolean (or numeric) capability `name`.
  static func terminfoHas(_ name: String) -> Bool { srs_terminfo_has(name) != 0 }

  /// `tmux display-message -p '#{client_termfeatures}'`, with a 1 s limit; nil when it fails.
  static func tmuxClientFeatures() -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["tmux", "display-message", "-p", "#{client_termfeatures}"]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    let deadline = Date().addingTimeInterval(1)
    while p.isRunning && Date() < deadline { usleep(10_000) }
    if p.isRunning { p.terminate(); return nil }
    guard p.terminationStatus == 0 else { return nil }
    return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  }
}
