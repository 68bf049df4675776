/// Text attributes for one run of characters.
public struct TextAttributes: OptionSet, Sendable, Hashable {
  /// The raw bits.
  public let rawValue: UInt8
  /// Creates attributes from raw bits.
  public init(rawValue: UInt8) { self.rawValue = rawValue }
  /// Bold text.
  public static let bold = TextAttributes(rawValue: 1)
  /// Reverse video (used for the status bar and highlights).
  public static let reverse = TextAttributes(rawValue: 2)
}

/// A terminal size in character cells.
public struct CellSize: Sendable, Hashable {
  /// Number of rows.
  public var rows: Int
  /// Number of columns.
  public var cols: Int
  /// Creates a size.
  public init(rows: Int, cols: Int) { self.rows = rows; self.cols = cols }
}

/// A size in pixels.
public struct PixelSize: Sendable, Hashable {
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int
  /// Creates a size.
  public init(width: Int, height: Int) { self.width = width; self.height = height }
}

/// What the terminal can draw, as detected or forced.
public struct TerminalCapabilities: Sendable, Hashable {
  /// The terminal answered DA1 with attribute 4 (sixel graphics).
  public var sixel: Bool
  /// 24-bit colour SGR is expected to work (`COLORTERM=truecolor|24bit`).
  public var trueColor: Bool
  /// Pixel size of one cell (measured, or the VT340 default 10x20).
  public var cellPixels: PixelSize
  /// The terminal's name and version from XTVERSION (`XTerm(379)`), `nil` when it did not answer.
  public var terminalName: String?
  /// Sixel colour registers reported by XTSMGRAPHICS (the current number, else the maximum);
  /// `nil` when the terminal did not answer.
  public var colorRegisters: Int?
  /// Largest sixel picture the terminal draws, reported by XTSMGRAPHICS (the limit, else the current
  /// geometry); `nil` when the terminal did not answer.
  public var maxSixelGeometry: PixelSize?

  /// Registers used when the terminal reports none: 256, what every sixel terminal we know offers
  /// (and what libsixel always assumed). A VT340 had 16, but nobody runs a real one for this.
  public static let assumedColorRegisters = 256
  /// Geometry assumed when the terminal reports none: xterm's default `maxGraphicSize` (1000x1000).
  /// Never "unlimited": xterm drops a picture that exceeds its maximum.
  public static let assumedMaxSixelGeometry = PixelSize(width: 1000, height: 1000)
  /// The palette sizes the sixel encoder accepts.
  public static let sixelColorRange = 16...1024

  /// Creates capabilities.
  public init(sixel: Bool, trueColor: Bool, cellPixels: PixelSize, terminalName: String? = nil,
              colorRegisters: Int? = nil, maxSixelGeometry: PixelSize? = nil) {
    self.sixel = sixel
    self.trueColor = trueColor
    self.cellPixels = cellPixels
    self.terminalName = terminalName
    self.colorRegisters = colorRegisters
    self.maxSixelGeometry = maxSixelGeometry
  }

  /// Palette size for sixel pictures: the reported registers (else 256), clamped to 16...1024.
  public var sixelColors: Int {
    min(Self.sixelColorRange.upperBound, max(Self.sixelColorRange.lowerBound, colorRegisters ?? Self.assumedColorRegisters))
  }

  /// Largest sixel picture to send: the reported geometry, else xterm's default 1000x1000.
  public var sixelMaxPicture: PixelSize { maxSixelGeometry ?? Self.assumedMaxSixelGeometry }

  /// What the title line says about sixel output: `sixel 1024 colours (XTerm(379), max 1000x1000)`;
  /// values the terminal did not report are marked `assumed`.
  public var sixelLabel: String {
    let colours = "sixel \(sixelColors) colours" + (colorRegisters == nil ? " assumed" : "")
    let g = sixelMaxPicture
    let max = "max \(g.width)x\(g.height)" + (maxSixelGeometry == nil ? " assumed" : "")
    return "\(colours) (\(terminalName ?? "unnamed terminal"), \(max))"
  }
}

/// The drawing surface the viewer renders one frame at a time onto.
///
/// A frame is `beginFrame()`, any number of `write`/`writeGraphics` calls, then `endFrame()`.
/// Graphics payloads (sixel or half-block escape strings) are emitted after the text is flushed,
/// and the cells they cover are filled with a blank-looking filler so that text updates erase them
/// (TERMINAL.md §2.4).
public protocol TerminalDevice: AnyObject {
  /// Current size in cells.
  var size: CellSize { get }
  /// Detected capabilities.
  var capabilities: TerminalCapabilities { get }
  /// Takes over the screen (raw mode, alternate screen). Must be balanced by `stop()`.
  func start() throws
  /// Restores the terminal. Safe to call more than once.
  func stop()
  /// Starts a frame: clears the text model (without emitting a screen clear).
  func beginFrame()
  /// Writes `text` at a cell, clipped to the screen.
  func write(_ text: String, row: Int, col: Int, attributes: TextAttributes)
  /// Queues a graphics payload whose top-left is at a cell and which covers `cells`.
  func writeGraphics(_ bytes: [UInt8], row: Int, col: Int, cells: CellSize)
  /// Flushes text, then emits the queued graphics.
  func endFrame()
  /// Forces a full repaint on the next frame (after a resize).
  func invalidate()
  /// Waits up to `timeoutMs` for one input event.
  func readKey(timeoutMs: Int) -> KeyEvent?
}

/// Out-of-band escape sequences shared by terminal implementations.
enum Escape {
  /// DECSC: save cursor and attributes.
  static let saveCursor: [UInt8] = [0x1B, 0x37]
  /// DECRC: restore cursor and attributes.
  static let restoreCursor: [UInt8] = [0x1B, 0x38]
  /// CUP to a zero-based cell.
  static func moveTo(row: Int, col: Int) -> [UInt8] { Array("\u{1B}[\(row + 1);\(col + 1)H".utf8) }
}
