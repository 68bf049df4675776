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
  /// Creates capabilities.
  public init(sixel: Bool, trueColor: Bool, cellPixels: PixelSize) {
    self.sixel = sixel
    self.trueColor = trueColor
    self.cellPixels = cellPixels
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
