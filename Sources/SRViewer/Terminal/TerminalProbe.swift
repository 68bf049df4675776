import Foundation

/// Detects sixel support and the cell pixel size before curses takes the terminal (TERMINAL.md §3).
public enum TerminalProbe {
  /// The VT340 cell, used when the pixel size is unknown.
  public static let defaultCell = PixelSize(width: 10, height: 20)

  /// Probes the controlling terminal: DA1 (`CSI c`) for attribute 4, `TIOCGWINSZ` for the cell size,
  /// `ColorSupport` for 24-bit colour. Inside tmux sixel is reported off (tmux 3.3 swallows it).
  public static func detect(environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalCapabilities {
    let trueColor = ColorSupport.detectTrueColor(environment: environment)
    let fd = open("/dev/tty", O_RDWR | O_NOCTTY)
    guard fd >= 0 else { return TerminalCapabilities(sixel: false, trueColor: trueColor, cellPixels: defaultCell) }
    defer { close(fd) }
    let cell = cellSize(fd: fd)
    let inTmux = environment["TMUX"] != nil || (environment["TERM"] ?? "").hasPrefix("tmux")
    let da1 = inTmux ? "" : (query(fd: fd, "\u{1B}[c", timeoutMs: 500) ?? "")
    return TerminalCapabilities(sixel: hasSixel(da1: da1), trueColor: trueColor, cellPixels: cell)
  }

  /// Whether a DA1 reply such as `ESC[?64;1;2;4;6c` lists attribute 4.
  public static func hasSixel(da1: String) -> Bool {
    guard let start = da1.firstIndex(of: "?"), let end = da1[start...].firstIndex(of: "c") else { return false }
    return da1[da1.index(after: start)..<end].split(separator: ";").dropFirst().contains("4")
  }

  /// Cell size from `TIOCGWINSZ` pixel fields, else the default.
  static func cellSize(fd: Int32) -> PixelSize {
    var ws = winsize()
    guard ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0,
          ws.ws_xpixel >= ws.ws_col, ws.ws_ypixel >= ws.ws_row else { return defaultCell }
    return PixelSize(width: Int(ws.ws_xpixel) / Int(ws.ws_col), height: Int(ws.ws_ypixel) / Int(ws.ws_row))
  }

  /// Sends `q` in raw mode and reads until a DA1-style reply ends with `c` or the timeout passes.
  static func query(fd: Int32, _ q: String, timeoutMs: Int32) -> String? {
    var saved = termios()
    guard tcgetattr(fd, &saved) == 0 else { return nil }
    var raw = saved
    raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
    withUnsafeMutableBytes(of: &raw.c_cc) { cc in cc[Int(VMIN)] = 0; cc[Int(VTIME)] = 0 }
    guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return nil }
    defer { tcsetattr(fd, TCSANOW, &saved) }
    let bytes = Array(q.utf8)
    guard Foundation.write(fd, bytes, bytes.count) == bytes.count else { return nil }
    var reply: [UInt8] = []
    let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
    while Date() < deadline, reply.count < 512 {
      var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&pfd, 1, 50) > 0 else { continue }
      var buf = [UInt8](repeating: 0, count: 128)
      let n = read(fd, &buf, buf.count)
      guard n > 0 else { continue }
      reply += buf[0..<n]
      if reply.contains(0x1B), reply.last == UInt8(ascii: "c") { break }
    }
    return String(decoding: reply, as: UTF8.self)
  }
}
