import CNCursesW
import Foundation

/// The real terminal: text through ncursesw, pictures written out-of-band after each refresh
/// between DECSC/DECRC, with filler glyphs under them (TERMINAL.md §2.2-2.4).
public final class CursesTerminal: TerminalDevice {
  /// What the terminal can draw.
  public let capabilities: TerminalCapabilities
  private var started = false
  private var win: UnsafeMutablePointer<WINDOW>?
  private var pending: [(row: Int, col: Int, bytes: [UInt8])] = []
  private var pendingCells: [CellSize] = []
  /// U+2000 EN QUAD: blank-looking, but a different cell content from a space, so ncurses rewrites
  /// (and thereby erases) picture cells whenever the layout changes.
  static let filler: wchar_t = 0x2000
  // attr_t bits from curses.h (NCURSES_BITS(1, n) = 1 << (n + 8)); macros are not imported.
  static let attrReverse: attr_t = 1 << 18, attrBold: attr_t = 1 << 21
  // Mouse masks for NCURSES_MOUSE_VERSION 2 (5 bits per button).
  static let button1Pressed: mmask_t = 0x2, button1Clicked: mmask_t = 0x4
  static let button4Pressed: mmask_t = 0x10000, button5Pressed: mmask_t = 0x200000

  /// Where to describe each frame's pictures (`SRSCOPE_GRAPHICS_LOG`, for end-to-end tests).
  private let graphicsLog = ProcessInfo.processInfo.environment["SRSCOPE_GRAPHICS_LOG"]

  /// Creates a terminal with known capabilities (see `TerminalProbe.detect()`).
  public init(capabilities: TerminalCapabilities) { self.capabilities = capabilities }

  /// The screen size in cells.
  public var size: CellSize {
    guard started, let win else { return CellSize(rows: 24, cols: 80) }
    return CellSize(rows: Int(getmaxy(win)), cols: Int(getmaxx(win)))
  }

  /// Initialises curses in raw mode (Ctrl-C arrives as a key) with keypad and mouse enabled.
  public func start() throws {
    guard !started else { return }
    setlocale(LC_ALL, "")
    SignalGuard.install()
    guard let w = initscr() else { SignalGuard.uninstall(); throw ViewerError.terminalUnavailable }
    win = w
    started = true
    raw(); noecho(); keypad(win, true); curs_set(0)
    scrollok(win, false); idlok(win, false)
    mouseinterval(0)
    mousemask(Self.button1Pressed | Self.button1Clicked | Self.button4Pressed | Self.button5Pressed, nil)
    if capabilities.sixel { emit(Array("\u{1B}[?1070h".utf8)) }  // private colour registers (§2.5)
  }

  /// Ends curses and restores the terminal and signal handlers. Idempotent.
  public func stop() {
    guard started else { return }
    started = false
    endwin()
    SignalGuard.uninstall()
  }

  /// Erases the text model (no `clear()`: it would flash and wipe every picture).
  public func beginFrame() {
    werase(win)
    pending.removeAll()
    pendingCells.removeAll()
  }

  /// Draws clipped text.
  public func write(_ text: String, row: Int, col: Int, attributes: TextAttributes) {
    let s = size
    guard row >= 0, row < s.rows, col >= 0, col < s.cols else { return }
    let scalars = Array(text.unicodeScalars.prefix(s.cols - col))
    var attr: attr_t = 0
    if attributes.contains(.bold) { attr |= Self.attrBold }
    if attributes.contains(.reverse) { attr |= Self.attrReverse }
    wattr_on(win, attr, nil)
    let wide = scalars.map { wchar_t(bitPattern: $0.value) } + [0]
    _ = mvwaddnwstr(win, Int32(row), Int32(col), wide, Int32(scalars.count))
    wattr_off(win, attr, nil)
  }

  /// Fills the covered cells with the filler and queues the payload for `endFrame()`.
  public func writeGraphics(_ bytes: [UInt8], row: Int, col: Int, cells: CellSize) {
    let s = size
    guard row >= 0, col >= 0, row + cells.rows < s.rows, col + cells.cols <= s.cols else { return }
    let line = [wchar_t](repeating: Self.filler, count: cells.cols) + [0]
    for r in 0..<cells.rows { _ = mvwaddnwstr(win, Int32(row + r), Int32(col), line, Int32(cells.cols)) }
    pending.append((row, col, bytes))
    pendingCells.append(cells)
  }

  /// Refreshes curses (which flushes), then writes all pictures in one burst.
  public func endFrame() {
    wrefresh(win)
    if let graphicsLog { logGraphics(to: graphicsLog) }
    guard !pending.isEmpty else { return }
    var burst = Escape.saveCursor
    for p in pending { burst += Escape.moveTo(row: p.row, col: p.col) + p.bytes }
    burst += Escape.restoreCursor
    emit(burst)
  }

  /// Replaces `path` with one line per picture of this frame: `row col rows cols width height`
  /// (cells, then the sixel raster size, 0 0 for half-blocks), after a `cell W H` line.
  private func logGraphics(to path: String) {
    var lines = ["cell \(capabilities.cellPixels.width) \(capabilities.cellPixels.height)"]
    for p in pending {
      let head = String(decoding: p.bytes.prefix(32), as: UTF8.self)
      var raster = "0 0"
      if let r = head.range(of: "\"1;1;") {
        let fields = head[r.upperBound...].prefix { $0.isNumber || $0 == ";" }.split(separator: ";")
        if fields.count >= 2 { raster = "\(fields[0]) \(fields[1])" }
      }
      let cells = pendingCells[lines.count - 1]
      lines.append("\(p.row) \(p.col) \(cells.rows) \(cells.cols) \(raster)")
    }
    try? (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
  }

  /// Forces a full repaint on the next refresh.
  public func invalidate() { if started { clearok(win, true) } }

  /// Reads one event, waiting at most `timeoutMs`; SIGINT/SIGTERM/SIGHUP arrive as `.interrupt`.
  public func readKey(timeoutMs: Int) -> KeyEvent? {
    if SignalGuard.stopRequested != 0 { return .interrupt }
    guard started else { return nil }
    wtimeout(win, Int32(timeoutMs))
    var wc: wint_t = 0
    let result = wget_wch(win, &wc)
    if SignalGuard.stopRequested != 0 { return .interrupt }
    if result == ERR { return nil }
    if result == KEY_CODE_YES, Int32(wc) == KEY_MOUSE { return mouseEvent() }
    return KeyParser.event(cursesCode: Int32(bitPattern: wc), isKeyCode: result == KEY_CODE_YES)
  }

  private func mouseEvent() -> KeyEvent? {
    var ev = MEVENT()
    guard getmouse(&ev) == OK else { return nil }
    let action: MouseAction
    if ev.bstate & Self.button4Pressed != 0 { action = .wheelUp }
    else if ev.bstate & Self.button5Pressed != 0 { action = .wheelDown }
    else if ev.bstate & (Self.button1Pressed | Self.button1Clicked) != 0 { action = .click }
    else { return nil }
    return .mouse(row: Int(ev.y), col: Int(ev.x), action: action)
  }

  /// Writes bytes to stdout, looping over short writes.
  private func emit(_ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBufferPointer { Foundation.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
      if n < 0 { if errno == EINTR || errno == EAGAIN { continue } else { return } }
      offset += n
    }
  }
}
