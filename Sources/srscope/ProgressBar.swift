import Foundation

/// A one-line progress bar on stderr, redrawn at most 10 times a second; silent when stderr is
/// not a terminal unless `force` is set.
final class ProgressBar: @unchecked Sendable {
  private let label: String
  /// False when stderr is not a terminal (and `force` was not set).
  let enabled: Bool
  private let start = Date()
  private var lastDraw = Date.distantPast
  private let lock = NSLock()

  init(_ label: String, force: Bool = false) {
    self.label = label
    enabled = force || isatty(STDERR_FILENO) != 0
  }

  /// Shows `fraction` (0...1) with elapsed time, an ETA and an optional suffix.
  func update(_ fraction: Double, suffix: String = "") {
    guard enabled else { return }
    lock.lock(); defer { lock.unlock() }
    let now = Date()
    guard fraction >= 1 || now.timeIntervalSince(lastDraw) > 0.1 else { return }
    lastDraw = now
    let f = min(1, max(0, fraction))
    let width = 30
    let filled = Int(f * Double(width))
    let elapsed = now.timeIntervalSince(start)
    let eta = f > 0 ? elapsed * (1 - f) / f : 0
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    let line = String(format: "\r%@ [%@] %3.0f%% %.1fs eta %.1fs %@ ", label, bar, f * 100, elapsed, eta, suffix)
    FileHandle.standardError.write(Data(line.utf8))
  }

  /// Ends the line.
  func finish() {
    guard enabled else { return }
    update(1)
    FileHandle.standardError.write(Data("\n".utf8))
  }
}
