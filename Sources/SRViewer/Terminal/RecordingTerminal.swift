/// A headless terminal for tests: keeps a text grid and the list of graphics writes of the last frame,
/// and replays a scripted list of input events.
public final class RecordingTerminal: TerminalDevice {
  /// One recorded graphics payload.
  public struct GraphicsWrite: Equatable, Sendable {
    /// Top-left cell row.
    public var row: Int
    /// Top-left cell column.
    public var col: Int
    /// Cells covered.
    public var cells: CellSize
    /// The payload.
    public var bytes: [UInt8]
  }

  /// Size reported to the viewer (change it to simulate a resize).
  public var size: CellSize
  /// Capabilities reported to the viewer.
  public var capabilities: TerminalCapabilities
  /// Events `readKey` returns in order; `nil` entries simulate timeouts.
  public var script: [KeyEvent?]
  /// Characters of the last completed frame, `rows` x `cols`.
  public private(set) var grid: [[Character]]
  /// Attributes per cell of the last completed frame.
  public private(set) var attributes: [[TextAttributes]]
  /// Graphics writes of the last completed frame.
  public private(set) var graphics: [GraphicsWrite] = []
  /// Number of completed frames.
  public private(set) var frameCount = 0
  /// Whether `start` was called and `stop` has not been called since.
  public private(set) var isActive = false
  private var working: [[Character]] = []
  private var workingAttributes: [[TextAttributes]] = []
  private var workingGraphics: [GraphicsWrite] = []

  /// Creates a recording terminal of a given size.
  public init(size: CellSize, capabilities: TerminalCapabilities = TerminalCapabilities(
    sixel: false, trueColor: true, cellPixels: PixelSize(width: 10, height: 20)), script: [KeyEvent?] = []) {
    self.size = size
    self.capabilities = capabilities
    self.script = script
    grid = Array(repeating: Array(repeating: " ", count: size.cols), count: size.rows)
    attributes = Array(repeating: Array(repeating: [], count: size.cols), count: size.rows)
  }

  /// Marks the terminal active.
  public func start() throws { isActive = true }
  /// Marks the terminal inactive.
  public func stop() { isActive = false }
  /// Forgets nothing (a full repaint is implicit here).
  public func invalidate() {}

  /// Starts a blank working frame.
  public func beginFrame() {
    working = Array(repeating: Array(repeating: " ", count: size.cols), count: size.rows)
    workingAttributes = Array(repeating: Array(repeating: [], count: size.cols), count: size.rows)
    workingGraphics = []
  }

  /// Writes clipped text into the working frame.
  public func write(_ text: String, row: Int, col: Int, attributes: TextAttributes) {
    guard row >= 0, row < working.count, col >= 0 else { return }
    var c = col
    for ch in text where c < size.cols {
      working[row][c] = ch
      workingAttributes[row][c] = attributes
      c += 1
    }
  }

  /// Records a graphics write and marks its cells with the filler (shown as U+2000 in `grid`).
  public func writeGraphics(_ bytes: [UInt8], row: Int, col: Int, cells: CellSize) {
    guard row >= 0, col >= 0, row + cells.rows < size.rows, col + cells.cols <= size.cols else { return }
    for r in row..<(row + cells.rows) { for c in col..<(col + cells.cols) { working[r][c] = "\u{2000}" } }
    workingGraphics.append(GraphicsWrite(row: row, col: col, cells: cells, bytes: bytes))
  }

  /// Publishes the working frame.
  public func endFrame() {
    grid = working
    attributes = workingAttributes
    graphics = workingGraphics
    frameCount += 1
  }

  /// Pops the next scripted event; an exhausted script returns `.interrupt` so run loops end.
  public func readKey(timeoutMs: Int) -> KeyEvent? {
    guard !script.isEmpty else { return .interrupt }
    return script.removeFirst()
  }

  /// The grid as lines, with filler cells shown as `#` and trailing spaces trimmed.
  public var lines: [String] {
    grid.map { row in
      var s = String(row.map { $0 == "\u{2000}" ? "#" : $0 })
      while s.last == " " { s.removeLast() }
      return s
    }
  }

  /// All lines joined with newlines.
  public var text: String { lines.joined(separator: "\n") }
}
