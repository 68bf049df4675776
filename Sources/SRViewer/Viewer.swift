import Foundation
import SRTensor

/// How pictures are drawn: detect, or force one method (`--graphics sixel|blocks|auto`).
public enum GraphicsMode: String, Sendable, CaseIterable {
  /// Sixel when the terminal reports it (DA1 attribute 4, not inside tmux), else half-blocks.
  case auto
  /// Sixel; fails with `ViewerError.sixelUnsupported` if the terminal does not report it.
  case sixel
  /// Half-blocks, 24-bit when `COLORTERM` says so, else 256 colours.
  case blocks
}

/// What the `x` key exported, for building the equivalent command line.
public struct CompareRequest: Sendable, Equatable {
  /// Image index and name.
  public var imageIndex: Int, imageName: String
  /// Names of the shown models, in panel order.
  public var models: [String]
  /// Name of the baseline model.
  public var baseline: String
  /// The crop in HR pixels.
  public var crop: CropRect
  /// The error-map mode.
  public var errorMode: ErrorMapMode
  /// Where the PNG montage was written.
  public var outputPath: String
}

/// The interactive comparison viewer: panels of one crop (LR, models, HR), metric table, keys.
public final class Viewer {
  /// The current state (readable by tests after `run()`).
  public internal(set) var state: ViewerState
  let data: ViewerDataSource
  let graphics: GraphicsMode
  let injectedTerminal: TerminalDevice?
  /// Directory PNG montages are written to.
  public var exportDirectory = "."
  /// Formats the command line shown after an export (the CLI may replace it with its exact syntax).
  public var compareCommand: (CompareRequest) -> String = Viewer.defaultCompareCommand
  /// Half-block colour depth chosen by the user (`--colors`), overriding the detection.
  public var colorOverride: BlockColors?
  /// Seconds between blink frames.
  public var blinkInterval = 0.6
  var cropMetricCache: [CropMetricKey: MetricRow] = [:]
  var renderer: PanelRenderer?
  var chartCache: (key: ChartKey, tiles: [GraphicsTile])?
  var lastBlink = Date()
  var lastWorstScores: [Double] = []
  /// Images without model A's output when the last ranking was made.
  var lastWorstNotReady = 0
  /// Whether the crop has been centred on the first image shown (it starts at the centre, where
  /// photos have their subject, not in a corner).
  var centeredInitialCrop = false
  /// The command line equivalent to the last export (`x`), if any.
  public internal(set) var lastExportCommand: String?

  /// Creates a viewer; pass a `terminal` to render somewhere other than the real tty (tests).
  public init(dataSource: ViewerDataSource, graphics: GraphicsMode, terminal: TerminalDevice? = nil) {
    data = dataSource
    self.graphics = graphics
    injectedTerminal = terminal
    state = ViewerState(modelCount: dataSource.modelNames.count)
  }

  /// Runs until `q`, Ctrl-C, SIGINT/SIGTERM/SIGHUP; the terminal is restored on every exit path.
  /// - Throws: `ViewerError` when there are no images, the terminal cannot start, or sixel is forced
  ///   but unsupported.
  public func run() throws {
    guard data.imageCount > 0 else { throw ViewerError.noImages }
    let term = injectedTerminal ?? CursesTerminal(capabilities: TerminalProbe.detect())
    var capabilities = term.capabilities
    if let colorOverride { capabilities.trueColor = colorOverride == .trueColor }
    let mode = try Self.resolve(graphics, capabilities)
    renderer = PanelRenderer(mode: mode, capabilities: capabilities)
    // Half-blocks have ~1x2 pixels per cell: start with a 32-px crop so it is shown at 1x or more.
    if case .blocks = mode, state.cropSizeIndex > 2 { state.cropSizeIndex = 2 }
    try term.start()
    defer { term.stop() }
    var needsDraw = true
    var lastSignature = ""
    while true {
      let signature = dataSignature()
      if signature != lastSignature {
        needsDraw = true
        lastSignature = signature
        state.settleInterpolation(context())
      }
      if state.blink, Date().timeIntervalSince(lastBlink) >= blinkInterval {
        state.blinkPhase ^= 1
        lastBlink = Date()
        needsDraw = true
      }
      if needsDraw { draw(on: term); needsDraw = false }
      guard let key = term.readKey(timeoutMs: 80) else { continue }
      if key == .resize { term.invalidate(); needsDraw = true; continue }
      if !handle(key, term: term) { return }
      needsDraw = true
    }
  }

  /// Applies one key; returns `false` when the viewer should quit.
  func handle(_ key: KeyEvent, term: TerminalDevice) -> Bool {
    let ctx = context()
    if case .mouse(let row, let col, .click) = key, let (x, y) = hitTest(row: row, col: col, term: term) {
      state.center(onX: x, y: y, ctx)
      return true
    }
    state = ViewerState.reduce(state, key, ctx)
    state.settleInterpolation(context())  // A or the baseline may have changed
    switch state.effect {
    case .quit?: return false
    case .findWorst(let restart)?: findWorst(restart: restart)
    case .export?: export(term: term)
    case nil: break
    }
    state.effect = nil
    return true
  }

  /// Chooses the render mode from the request and the capabilities.
  static func resolve(_ g: GraphicsMode, _ caps: TerminalCapabilities) throws -> RenderMode {
    let blocks = RenderMode.blocks(caps.trueColor ? .trueColor : .palette256)
    switch g {
    case .auto: return caps.sixel ? .sixel : blocks
    case .blocks: return blocks
    case .sixel:
      guard caps.sixel else { throw ViewerError.sixelUnsupported }
      return .sixel
    }
  }

  /// Facts the reducer needs.
  func context() -> ViewerContext {
    let hr = data.imageSet(state.imageIndex)?.hr
    return ViewerContext(modelCount: data.modelNames.count, imageCount: data.imageCount,
                         imageSize: PixelSize(width: hr?.width ?? 0, height: hr?.height ?? 0),
                         interpolation: data.interpolationStatus(a: state.focus, b: state.baseline))
  }

  /// A string that changes whenever something visible becomes ready, to trigger redraws.
  func dataSignature() -> String {
    let p = data.progress
    let i = state.imageIndex
    let ready = (0..<data.modelNames.count).map { m in
      (data.output(model: m, image: i) == nil ? "0" : "1") + (data.wholeImageMetrics(model: m, image: i) == nil ? "0" : "1")
        + (data.modelError(model: m, image: i) == nil ? "" : "E")
    }.joined()
    return "\(p.done)/\(p.total) \(p.message) \(data.imageSet(i) == nil) \(ready)" + interpolationSignature()
  }

  /// What the interpolation panel shows: off, its status, and how much of its output is ready.
  func interpolationSignature() -> String {
    guard let interpolation = state.interpolation else { return "" }
    let status = data.interpolationStatus(a: interpolation.a, b: interpolation.b)
    // A look (no crop): asking for the panel's crop is `drawPanel`'s job.
    let out = data.interpolatedOutput(interpolation, image: state.imageIndex, crop: nil)
    return " \(status) \(interpolation.tenths) \(out.map { $0.region?.description ?? "whole" } ?? "none")"
  }

  /// `srscope compare --image N --models a,b --baseline c --crop x,y,w,h [--error-map m] --out path`.
  public static func defaultCompareCommand(_ r: CompareRequest) -> String {
    var cmd = "srscope compare --image \(r.imageIndex) --models \(r.models.joined(separator: ","))"
      + " --baseline \(r.baseline) --crop \(r.crop)"
    if r.errorMode != .off { cmd += " --error-map \(["off", "sr-hr", "a-base", "lpips"][r.errorMode.rawValue])" }
    return cmd + " --output \(r.outputPath)"
  }
}

/// Cache key for crop metrics.
struct CropMetricKey: Hashable {
  var model: Int, image: Int, crop: CropRect
  /// Set for an interpolated network's output (then `model` is -1).
  var interpolation: Interpolation? = nil
}

extension Viewer {
  /// Makes the model called `name` the baseline (ignored when no model has that name).
  public func setBaseline(named name: String) {
    if let i = data.modelNames.firstIndex(of: name) { state.baseline = i }
  }
}
