import SRTensor

/// How pictures reach the screen.
public enum RenderMode: Sendable, Hashable {
  /// Sixel graphics (libsixel, 256-colour palette per panel).
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

  /// A short description for the header.
  public var label: String {
    switch self {
    case .sixel: return "sixel (256-colour palette: display quantised, metrics use full floats)"
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
}

/// Produces panel pictures from the data source and encodes them, caching encoded payloads.
public final class PanelRenderer {
  /// The output mode.
  public let mode: RenderMode
  private var cache: [PanelSpec: [UInt8]] = [:]
  private let encoder = SixelEncoder()
  /// Maximum cached payloads before the cache is dropped.
  static let cacheLimit = 96

  /// Creates a renderer.
  public init(mode: RenderMode) { self.mode = mode }

  /// The encoded payload for a panel, or `nil` when its data is not ready (or encoding failed).
  public func payload(_ spec: PanelSpec, data: ViewerDataSource) -> [UInt8]? {
    if let hit = cache[spec] { return hit }
    guard let img = Self.pixels(spec, data: data), let bytes = encode(img) else { return nil }
    if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
    cache[spec] = bytes
    return bytes
  }

  /// Encodes any picture in this renderer's mode (sixel or half-blocks); `nil` if libsixel fails.
  public func encode(_ img: RGBImage) -> [UInt8]? {
    switch mode {
    case .sixel: return try? encoder.encode(img)
    case .blocks(let colors): return HalfBlockEncoder.encode(img, colors: colors)
    }
  }

  /// Whether the panel shows an error map rather than a picture in this mode.
  public static func showsMap(_ source: PanelSource, _ mode: ErrorMapMode, baseline: Int) -> Bool {
    switch (mode, source) {
    case (.versusHR, .lr), (.versusHR, .model), (.lpips, .model): return true
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
