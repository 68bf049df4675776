import Foundation

/// Detects sixel support, the terminal's identity, its sixel limits and the cell pixel size before
/// curses takes the terminal (TERMINAL.md §3).
///
/// Every query is fenced by DA1 (`CSI c`), which every terminal answers: the read loop of one query
/// ends at the DA1 reply, so a query the terminal ignores costs one round trip and yields `nil`.
public enum TerminalProbe {
  /// The VT340 cell, used when the pixel size is unknown.
  public static let defaultCell = PixelSize(width: 10, height: 20)
  /// Hard limit per query (a terminal that answers nothing at all costs this once).
  static let timeoutMs = 1000

  /// The raw reply bytes of each query (each including its DA1 fence), `nil` when not asked or not
  /// answered in time.
  public struct Replies: Sendable, Equatable {
    /// `CSI c` alone.
    public var da1: String?
    /// XTVERSION, `CSI > 0 q`.
    public var version: String?
    /// XTSMGRAPHICS colour registers, read (`CSI ? 1 ; 1 ; 0 S`) and maximum (`CSI ? 1 ; 4 ; 0 S`).
    public var colorsRead: String?, colorsMax: String?
    /// XTSMGRAPHICS sixel geometry, read (`CSI ? 2 ; 1 ; 0 S`) and maximum (`CSI ? 2 ; 4 ; 0 S`).
    public var geometryRead: String?, geometryMax: String?
    /// Creates replies.
    public init(da1: String? = nil, version: String? = nil, colorsRead: String? = nil, colorsMax: String? = nil,
                geometryRead: String? = nil, geometryMax: String? = nil) {
      self.da1 = da1; self.version = version; self.colorsRead = colorsRead; self.colorsMax = colorsMax
      self.geometryRead = geometryRead; self.geometryMax = geometryMax
    }
  }

  /// The queries after the plain DA1, in the order they are sent.
  nonisolated(unsafe) static let queries: [(WritableKeyPath<Replies, String?>, String)] = [
    (\.version, "\u{1B}[>0q"),
    (\.colorsRead, "\u{1B}[?1;1;0S"), (\.colorsMax, "\u{1B}[?1;4;0S"),
    (\.geometryRead, "\u{1B}[?2;1;0S"), (\.geometryMax, "\u{1B}[?2;4;0S"),
  ]

  /// Probes the controlling terminal: DA1, XTVERSION, XTSMGRAPHICS (colour registers, sixel geometry),
  /// `TIOCGWINSZ` for the cell size, `ColorSupport` for 24-bit colour. Inside tmux nothing is queried and
  /// sixel is reported off (tmux 3.3 swallows it). With `SRSCOPE_PROBE_LOG=<file>` the raw replies and
  /// the result are appended to that file.
  public static func detect(environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalCapabilities {
    let trueColor = ColorSupport.detectTrueColor(environment: environment)
    let fd = open("/dev/tty", O_RDWR | O_NOCTTY)
    guard fd >= 0 else { return TerminalCapabilities(sixel: false, trueColor: trueColor, cellPixels: defaultCell) }
    defer { close(fd) }
    let cell = cellSize(fd: fd)
    let inTmux = environment["TMUX"] != nil || (environment["TERM"] ?? "").hasPrefix("tmux")
    let replies = inTmux ? Replies() : ask(fd: fd)
    let caps = capabilities(from: replies, cell: cell, trueColor: trueColor, fallbackName: environmentName(environment))
    if let path = environment["SRSCOPE_PROBE_LOG"] { log(replies, caps, to: path) }
    return caps
  }

  /// Capabilities from the replies (pure): sixel if DA1 lists attribute 4; the colour registers
  /// currently offered (xterm's "read"; its "maximum" is only what could be set), else the maximum;
  /// the sixel geometry limit, else the current geometry. Unanswered or garbled replies give `nil`;
  /// the name then comes from `fallbackName` (see `environmentName`).
  public static func capabilities(from r: Replies, cell: PixelSize, trueColor: Bool,
                                  fallbackName: String? = nil) -> TerminalCapabilities {
    let colors = (r.colorsRead.flatMap { graphicsAttribute($0, item: 1) } ?? r.colorsMax.flatMap { graphicsAttribute($0, item: 1) })
      .flatMap { $0.count == 1 && $0[0] >= 2 ? $0[0] : nil }
    let geometry = (r.geometryMax.flatMap { graphicsAttribute($0, item: 2) } ?? r.geometryRead.flatMap { graphicsAttribute($0, item: 2) })
      .flatMap { $0.count == 2 && $0[0] >= 16 && $0[1] >= 16 ? PixelSize(width: $0[0], height: $0[1]) : nil }
    return TerminalCapabilities(sixel: hasSixel(da1: r.da1 ?? ""), trueColor: trueColor, cellPixels: cell,
                                terminalName: r.version.flatMap(terminalVersion) ?? fallbackName, colorRegisters: colors,
                                maxSixelGeometry: geometry)
  }

  /// A name for terminals that do not answer XTVERSION, from the variables they set: `MLTERM`
  /// (mlterm 3.9 sets it to its version), else `TERM_PROGRAM` and `TERM_PROGRAM_VERSION`.
  public static func environmentName(_ environment: [String: String]) -> String? {
    func clean(_ s: String?) -> String? {
      guard let s, !s.isEmpty, s.count <= 40, s.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else { return nil }
      return s
    }
    if let v = clean(environment["MLTERM"]) { return "mlterm \(v)" }
    guard let program = clean(environment["TERM_PROGRAM"]) else { return nil }
    return clean(environment["TERM_PROGRAM_VERSION"]).map { "\(program) \($0)" } ?? program
  }

  /// Whether a DA1 reply such as `ESC[?64;1;2;4;6c` lists attribute 4 (after the class parameter).
  public static func hasSixel(da1: String) -> Bool {
    guard let da1 = privateCSI(in: da1, final: UInt8(ascii: "c")) else { return false }
    return da1.dropFirst().contains(4)
  }

  /// The text of an XTVERSION reply `ESC P > | XTerm(379) ESC \`, or `nil` when there is none (or it
  /// is empty, longer than 80 characters or not printable ASCII).
  public static func terminalVersion(_ reply: String) -> String? {
    let b = Array(reply.utf8), intro: [UInt8] = [0x1B, UInt8(ascii: "P"), UInt8(ascii: ">"), UInt8(ascii: "|")]
    guard b.count > intro.count,
          let start = (0...(b.count - intro.count)).first(where: { Array(b[$0..<($0 + intro.count)]) == intro })
    else { return nil }
    let body = b[(start + intro.count)...]
    guard let end = body.firstIndex(of: 0x1B), end + 1 < b.count, b[end + 1] == UInt8(ascii: "\\") else { return nil }
    let text = body[..<end]
    guard (1...80).contains(text.count), text.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
    let s = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    return s.isEmpty ? nil : s
  }

  /// The values of a successful XTSMGRAPHICS reply `ESC[?<item>;0;<v>[;<v2>]S` for `item`, or `nil`
  /// (no such reply, a failure status such as `ESC[?1;3S`, or values out of 1...65535).
  public static func graphicsAttribute(_ reply: String, item: Int) -> [Int]? {
    guard let p = privateCSI(in: reply, final: UInt8(ascii: "S"), first: item), p.count >= 3, p[1] == 0 else { return nil }
    let values = Array(p.dropFirst(2))
    return values.allSatisfy({ (1...65535).contains($0) }) ? values : nil
  }

  /// The numeric parameters of the first `ESC [ ? n ; n ... <final>` in `s` (whose first parameter is
  /// `first`, if given); `nil` if there is none. Empty parameters read as 0; more than 16 are refused.
  static func privateCSI(in s: String, final: UInt8, first: Int? = nil) -> [Int]? {
    let b = Array(s.utf8)
    var i = 0
    while i + 2 < b.count {
      defer { i += 1 }
      guard b[i] == 0x1B, b[i + 1] == UInt8(ascii: "["), b[i + 2] == UInt8(ascii: "?") else { continue }
      var j = i + 3, params = [0], digits = 0
      while j < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[j]) || b[j] == UInt8(ascii: ";") {
        if b[j] == UInt8(ascii: ";") { params.append(0); digits = 0 } else {
          digits += 1
          if digits <= 6 { params[params.count - 1] = params[params.count - 1] * 10 + Int(b[j] - 48) }
        }
        j += 1
      }
      guard j < b.count, b[j] == final, params.count <= 16, first == nil || params[0] == first else { continue }
      return params
    }
    return nil
  }

  /// Whether `bytes` hold a complete DA1 reply (the fence that ends every query).
  static func hasDA1(_ bytes: [UInt8]) -> Bool {
    privateCSI(in: String(decoding: bytes, as: UTF8.self), final: UInt8(ascii: "c")) != nil
  }

  /// Cell size from `TIOCGWINSZ` pixel fields, else the default.
  static func cellSize(fd: Int32) -> PixelSize {
    var ws = winsize()
    guard ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0,
          ws.ws_xpixel >= ws.ws_col, ws.ws_ypixel >= ws.ws_row else { return defaultCell }
    return PixelSize(width: Int(ws.ws_xpixel) / Int(ws.ws_col), height: Int(ws.ws_ypixel) / Int(ws.ws_row))
  }

  /// Sends every query in one raw-mode session. Stops at the first query whose DA1 fence does not
  /// arrive in time (a terminal that does not answer DA1 is not asked anything else) and then drops
  /// pending input, so a late reply cannot reach curses as keys.
  static func ask(fd: Int32) -> Replies {
    var saved = termios()
    guard tcgetattr(fd, &saved) == 0 else { return Replies() }
    var raw = saved
    raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
    withUnsafeMutableBytes(of: &raw.c_cc) { cc in cc[Int(VMIN)] = 0; cc[Int(VTIME)] = 0 }
    guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return Replies() }
    defer { tcsetattr(fd, TCSANOW, &saved) }
    var replies = Replies()
    guard let da1 = exchange(fd: fd, "") else { tcflush(fd, TCIFLUSH); return replies }
    replies.da1 = da1
    for (key, q) in queries {
      guard let reply = exchange(fd: fd, q) else { tcflush(fd, TCIFLUSH); break }
      replies[keyPath: key] = reply
    }
    return replies
  }

  /// Writes `q` + DA1 and reads until the DA1 reply arrives; `nil` after `timeoutMs`.
  static func exchange(fd: Int32, _ q: String) -> String? {
    let bytes = Array((q + "\u{1B}[c").utf8)
    guard Foundation.write(fd, bytes, bytes.count) == bytes.count else { return nil }
    var reply: [UInt8] = []
    let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
    while reply.count < 4096 {
      let left = Int(deadline.timeIntervalSinceNow * 1000)
      guard left > 0 else { return nil }
      var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&pfd, 1, Int32(min(left, 50))) > 0 else { continue }
      var buf = [UInt8](repeating: 0, count: 256)
      let n = read(fd, &buf, buf.count)
      guard n > 0 else { continue }
      reply += buf[0..<n]
      if hasDA1(reply) { return String(decoding: reply, as: UTF8.self) }
    }
    return nil
  }

  /// Appends the raw replies (ESC shown as `\e`) and the parsed result to `path`.
  static func log(_ r: Replies, _ caps: TerminalCapabilities, to path: String) {
    func show(_ s: String?) -> String { s.map { $0.replacingOccurrences(of: "\u{1B}", with: "\\e") } ?? "(none)" }
    let lines = [
      "da1: \(show(r.da1))", "xtversion: \(show(r.version))",
      "colors read: \(show(r.colorsRead))", "colors max: \(show(r.colorsMax))",
      "geometry read: \(show(r.geometryRead))", "geometry max: \(show(r.geometryMax))",
      "parsed: sixel=\(caps.sixel) name=\(caps.terminalName ?? "nil") registers=\(caps.colorRegisters.map(String.init) ?? "nil")"
        + " geometry=\(caps.maxSixelGeometry.map { "\($0.width)x\($0.height)" } ?? "nil")"
        + " cell=\(caps.cellPixels.width)x\(caps.cellPixels.height) label=\(caps.sixelLabel)",
    ]
    guard let data = (lines.joined(separator: "\n") + "\n").data(using: .utf8) else { return }
    if let h = FileHandle(forWritingAtPath: path) { h.seekToEndOfFile(); h.write(data); h.closeFile() }
    else { FileManager.default.createFile(atPath: path, contents: data) }
  }
}
