import Foundation

/// Process-wide terminal restore on signals: termination signals set a flag the run loop polls;
/// crash signals restore the tty directly (async-signal-safe calls only) and re-raise.
enum SignalGuard {
  nonisolated(unsafe) static var stopRequested: sig_atomic_t = 0
  nonisolated(unsafe) static var savedTermios = termios()
  nonisolated(unsafe) static var hasSavedTermios = false

  /// Saves the tty mode and installs the handlers.
  static func install() {
    hasSavedTermios = tcgetattr(STDIN_FILENO, &savedTermios) == 0
    stopRequested = 0
    for sig in [SIGINT, SIGTERM, SIGHUP] {
      signal(sig) { _ in SignalGuard.stopRequested = 1 }
    }
    for sig in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
      signal(sig) { sig in
        SignalGuard.restoreRaw()
        signal(sig, SIG_DFL)
        raise(sig)
      }
    }
  }

  /// Puts default handlers back.
  static func uninstall() {
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] { signal(sig, SIG_DFL) }
  }

  /// Leaves the alternate screen, shows the cursor, resets colours and mouse reporting, restores termios.
  static func restoreRaw() {
    let reset = "\u{1B}[0m\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1006l\u{1B}[?25h\u{1B}[?1049l\r\n"
    reset.utf8CString.withUnsafeBufferPointer { p in _ = Foundation.write(STDOUT_FILENO, p.baseAddress, p.count - 1) }
    if hasSavedTermios { tcsetattr(STDIN_FILENO, TCSANOW, &savedTermios) }
  }
}
