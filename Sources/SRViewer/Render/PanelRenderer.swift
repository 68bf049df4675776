import SRTensor

/// How pictures reach the screen.
public enum RenderMode: Sendable, Hashable {
  /// Sixel graphics (adaptive palette per picture, as many registers as the terminal offers).
  case sixel
  /// Upper-half-block characters with colours.
  case blocks(BlockColors)

  /// Device pixels per cell.
  func pixelsPerCell(_ cell: PixelSize) -> PixelSize {
    switch self {
    case .sixel: return cell
    case .blocks: return PixelSize(width: 1, height: 2)
    }
  }

  /// Picture heights are cut to a multiple of this (sixel bands are 6 px; a block cell holds 2).
  var bandHeight: Int {
    switch self {
    case .sixel: return 6
    case .blocks: return 2
    }
  }

  /// A short description for the title line; sixel names the palette and terminal
  /// (`TerminalCapabilities.sixelLabel`).
  public func label(_ caps: TerminalCapabilities) -> String {
    switch self {
    case .sixel: return caps.sixelLabel
    case .blocks(.trueColor): return "half-blocks 24-bit"
    case .blocks(.palette256): return "half-blocks 256-colour (quantised)"
    }
  }
}

/// Everything that determines one panel's pixels: the cache key.
public struct PanelSpec: Sendable, Hashable {
  /// What is shown.
  public var source: PanelSource
  /// Image index.
  public var image: Int
  /// Crop in HR pixels.
  public var crop: CropRect
  /// Display scale.
  public var zoom: Zoom
  /// Picture size in device pixels.
  public var size: PixelSize
  /// Error-map mode in effect.
  public var errorMode: ErrorMapMode
  /// Baseline model (for |A - base|).
  public var baseline: Int
  /// For an interpolated panel: the region its output covers so far (nil: the whole image).
  public var region: CropRect? = nil
}

/// One sixel (or half-block) payload of a picture, placed at an offset in cells from the picture's
/// top-left cell. A picture larger than the terminal's sixel maximum is sent as several tiles side by
/// side (and stacked), each within the maximum.
public struct GraphicsTile: Sendable, Hashable {
  /// Offset of the tile's top-left cell from the picture's.
  public var row: Int, col: Int
  /// Cells the tile covers.
  public var cells: CellSize
  /// The encoded payload.
  public var bytes: [UInt8]
}

/// Produces panel pictures from the data source and encodes them, caching encoded payloads.
public final class PanelRenderer {
  /// The output mode.
  public let mode: RenderMode
  /// Device pixels of one cell (tiles start on cell boundaries).
  public let cell: PixelSize
  /// Largest sixel image sent in one payload (sixel only).
  public let maxPicture: PixelSize
  private var cache: [PanelSpec: [GraphicsTile]] = [:]
  private let encoder: SixelEncoder
  /// Maximum cached payloads before the cache is dropped.
  static let cacheLimit = 96

  /// Creates a renderer; sixel pictures use `capabilities.sixelColors` registers and are split into
  /// tiles no larger than `capabilities.sixelMaxPicture`.
  public init(mode: RenderMode, capabilities: TerminalCapabilities = TerminalCapabilities(
    sixel: false, trueColor: true, cellPixels: TerminalProbe.defaultCell)) {
    self.mode = mode
    cell = mode.pixelsPerCell(capabilities.cellPixels)
    maxPicture = capabilities.sixelMaxPicture
    encoder = SixelEncoder(colors: capabilities.sixelColors)
  }

  /// The encoded payload for a panel, or `nil` when its data is not ready.
  public func payload(_ spec: PanelSpec, data: ViewerDataSource) -> [GraphicsTile]? {
    if let hit = cache[spec] { return hit }
    guard let img = Self.pixels(spec, data: data), let tiles = encode(img) else { return nil }
    if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
    cache[spec] = tiles
    return tiles
  }

  /// Encodes any picture in this renderer's mode: half-blocks as one payload, sixel as tiles within
  /// `maxPicture`; `nil` for an empty picture.
  public func encode(_ img: RGBImage) -> [GraphicsTile]? {
    let whole = CellSize(rows: (img.height + cell.height - 1) / cell.height, cols: (img.width + cell.width - 1) / cell.width)
    switch mode {
    case .blocks(let colors):
      return [GraphicsTile(row: 0, col: 0, cells: whole, bytes: HalfBlockEncoder.encode(img, colors: colors))]
    case .sixel:
      var tiles: [GraphicsTile] = []
      for r in Self.tileRects(PixelSize(width: img.width, height: img.height), cell: cell, max: maxPicture) {
        let whole = r.width == img.width && r.height == img.height
        let part = whole ? img : img.cropped(x: r.x, y: r.y, width: r.width, height: r.height)
        guard let bytes = try? encoder.encode(part) else { return nil }
        tiles.append(GraphicsTile(row: r.y / cell.height, col: r.x / cell.width,
                                  cells: CellSize(rows: (r.height + cell.height - 1) / cell.height,
                                                  cols: (r.width + cell.width - 1) / cell.width), bytes: bytes))
      }
      return tiles
    }
  }

  /// Pixel rectangles covering a `size` picture, each within `max` and starting on a cell boundary
  /// (tile widths a multiple of the cell width; heights a multiple of both the cell height and the
  /// 6-pixel sixel band). One rectangle when the picture fits. A maximum smaller than one such step
  /// is raised to it (the terminal may then clip that tile, but nothing is dropped).
  static func tileRects(_ size: PixelSize, cell: PixelSize, max limit: PixelSize) -> [(x: Int, y: Int, width: Int, height: Int)] {
    guard size.width > limit.width || size.height > limit.height else { return [(0, 0, size.width, size.height)] }
    func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
    let cw = Swift.max(1, cell.width), ch = Swift.max(1, cell.height), stepY = ch / gcd(ch, 6) * 6
    let tw = Swift.max(cw, limit.width / cw * cw), th = Swift.max(stepY, limit.height / stepY * stepY)
    var rects: [(x: Int, y: Int, width: Int, height: Int)] = []
    for y in stride(from: 0, to: size.height, by: th) {
      for x in stride(from: 0, to: size.width, by: tw) {
        rects.append((x, y, Swift.min(tw, size.width - x), Swift.min(th, size.height - y)))
      }
    }
    return rects
  }

  /// Whether the panel shows an error map rather than a picture in this mode.
  public static func showsMap(_ source: PanelSource, _ mode: ErrorMapMode, baseline: Int) -> Bool {
    switch (mode, source) {
    case (.versusHR, .lr), (.versusHR, .model), (.lpips, .model), (.versusHR, .interpolated), (.versusBaseline, .interpolated): return true
    case (.versusBaseline, .model(let m)): return m != baseline
    default: return false
    }
  }

  /// The panel's RGB pixels, or `nil` when its data is not ready.
  public static func pixels(_ spec: PanelSpec, data: ViewerDataSource) -> RGBImage? {
    guard let set = data.imageSet(spec.image) else { return nil }
    let scaleMax = spec.errorMode.scaleMax
    func tensor(_ s: PanelSource) -> Tensor? {
      switch s {
      case .lr: return set.lr
      case .hr: return set.hr
      case .model(let m): return data.output(model: m, image: spec.image)
      case .interpolated(let i): return data.interpolatedOutput(i, image: spec.image, crop: nil)?.image
      }
    }
    let replicate = spec.source == .lr ? set.scale : 1
    guard let t = tensor(spec.source) else { return nil }
    guard showsMap(spec.source, spec.errorMode, baseline: spec.baseline) else {
      return PanelPixels.picture(t, replicate: replicate, crop: spec.crop, zoom: spec.zoom, size: spec.size)
    }
    switch spec.errorMode {
    case .lpips:
      guard case .model(let m) = spec.source, let map = data.lpipsMap(model: m, image: spec.image) else { return nil }
      return PanelPixels.scalarMap(map, crop: spec.crop, zoom: spec.zoom, size: spec.size, scaleMax: scaleMax)
    case .versusBaseline:
      guard let base = data.output(model: spec.baseline, image: spec.image) else { return nil }
      return PanelPixels.difference(t, base, crop: spec.crop, zoom: spec.zoom, size: spec.size, scaleMax: scaleMax)
    default:
      return PanelPixels.difference(t, set.hr, replicateA: replicate, crop: spec.crop, zoom: spec.zoom,
                                    size: spec.size, scaleMax: scaleMax)
    }
  }
}
