import Foundation

/// The labelled montage of one comparison (locator, LR, the chosen models, HR on one crop), built
/// from a data source: what the viewer's `x` key exports and what `srscope compare` writes. The
/// `Request` is the whole description: equal requests on equal data give byte-identical PNGs.
public enum ComparisonMontage {
  /// What to compose.
  public struct Request: Sendable, Equatable {
    public var image: Int
    public var models: [Int]
    public var baseline: Int
    public var crop: CropRect
    public var errorMode: ErrorMapMode
    /// Colours (`--theme`).
    public var theme: MontageTheme
    /// Pixels of each picture's longer side (`--panel-size`); see `zoom(crop:panelSize:)`.
    public var panelSize: Int
    public init(image: Int, models: [Int], baseline: Int, crop: CropRect, errorMode: ErrorMapMode = .off,
                theme: MontageTheme = .light, panelSize: Int = ComparisonMontage.defaultPanelSize) {
      self.image = image; self.models = models; self.baseline = baseline; self.crop = crop; self.errorMode = errorMode
      self.theme = theme; self.panelSize = panelSize
    }
  }

  /// The default `panelSize`.
  public static let defaultPanelSize = 256
  /// Accepted panel sizes.
  public static let panelSizes = 16...4096
  /// At most this many cells per row; more wrap into a grid of even rows.
  public static let maxColumns = 6

  /// The integer scale of the crop: the largest whole enlargement that fits `panelSize`, or, for a
  /// crop longer than `panelSize`, the smallest whole reduction (nearest subsampling). Never blurred.
  public static func zoom(crop: CropRect, panelSize: Int) -> Zoom {
    let long = max(1, crop.width, crop.height), p = max(1, panelSize)
    return long <= p ? Zoom(up: p / long, down: 1) : Zoom(up: 1, down: (long + p - 1) / p)
  }

  /// The crop's picture size at `zoom`.
  public static func pictureSize(crop: CropRect, zoom z: Zoom) -> PixelSize {
    PixelSize(width: (crop.width * z.up + z.down - 1) / z.down, height: (crop.height * z.up + z.down - 1) / z.down)
  }

  /// Label text size for a panel size: 14 px at the default 256, between 11 and 18.
  public static func textSize(panelSize: Int) -> Int { min(18, max(11, (panelSize + 9) / 18)) }

  /// The cell every picture is centred in: `panelSize` on the crop's longer side, the shorter side
  /// in proportion (rounded up), and at least eight characters wide so names stay readable.
  public static func cellSize(crop: CropRect, panelSize p: Int) -> PixelSize {
    let long = max(1, crop.width, crop.height)
    let w = (p * crop.width + long - 1) / long, h = (p * crop.height + long - 1) / long
    return PixelSize(width: max(w, 8 * textSize(panelSize: p)), height: max(1, h))
  }

  /// The sheet for `r`, or `nil` when the image is not loaded. `metrics` supplies the crop metrics
  /// under each model's name (the viewer passes its cached lookup).
  public static func sheet(_ r: Request, data: ViewerDataSource, text: TextRenderer = .shared,
                           metrics: (Int, CropRect) -> MetricRow?) -> Montage.Sheet? {
    guard let set = data.imageSet(r.image) else { return nil }
    let crop = r.crop, z = zoom(crop: crop, panelSize: r.panelSize)
    let cell = cellSize(crop: crop, panelSize: r.panelSize), size = textSize(panelSize: r.panelSize)
    let picture = pictureSize(crop: crop, zoom: z)
    let sources: [PanelSource] = [.lr] + r.models.map { .model($0) } + [.hr]
    func name(_ m: Int) -> String { data.modelNames.indices.contains(m) ? data.modelNames[m] : "model \(m + 1)" }
    func pixels(_ s: PanelSource, _ mode: ErrorMapMode) -> RGBImage? {
      PanelRenderer.pixels(PanelSpec(source: s, image: r.image, crop: crop, zoom: z, size: picture, errorMode: mode,
                                     baseline: r.baseline), data: data)
    }
    let labels = modelLabels(r, metrics: metrics, name: name, fits: { text.width($0, size: size) <= cell.width })
    var tiles = [Montage.Tile(picture: LocatorThumbnail.render(set.hr, crop: crop, fit: cell),
                              labels: ["HR \(set.hr.width)\u{00D7}\(set.hr.height)", "crop outlined"])]
    var maps: [Montage.Tile?] = [nil]
    for s in sources {
      let lines: [String]
      switch s {
      case .lr: lines = ["LR \u{00D7}\(set.scale)", "input, nearest"]
      case .hr: lines = ["HR", "reference"]
      case .model(let m): lines = labels[m] ?? [name(m)]
      case .interpolated(let i): lines = [i.title]
      }
      let img = pixels(s, .off)
      tiles.append(Montage.Tile(picture: img, labels: img == nil ? lines + ["(not ready)"] : lines))
      let showsMap = r.errorMode != .off && PanelRenderer.showsMap(s, r.errorMode, baseline: r.baseline)
      maps.append(showsMap ? Montage.Tile(picture: pixels(s, r.errorMode), labels: [mapLabel(s, r, name: name)]) : nil)
    }
    let hasMaps = maps.contains { $0 != nil }
    let rows = (tiles.count + maxColumns - 1) / maxColumns
    let title = "\(set.name)   crop x,y,w,h \(crop)   scale \u{00D7}\(set.scale)   shown at \(zoomLabel(z)) nearest"
    return Montage.Sheet(title: title, cell: cell, tiles: tiles, maps: hasMaps ? maps : [],
                         legend: hasMaps ? Montage.Legend(caption: legendCaption(r, name: name), scaleMax: r.errorMode.scaleMax) : nil,
                         theme: r.theme, textSize: size, columns: (tiles.count + rows - 1) / rows)
  }

  /// Name, then PSNR-Y and SSIM (one line when it fits every model's cell, else two), then LPIPS.
  static func modelLabels(_ r: Request, metrics: (Int, CropRect) -> MetricRow?, name: (Int) -> String,
                          fits: (String) -> Bool) -> [Int: [String]] {
    let rows = Dictionary(r.models.map { ($0, metrics($0, r.crop)) }, uniquingKeysWith: { a, _ in a })
    func psnr(_ m: Int) -> String { "PSNR-Y " + MetricTable.num(rows[m]??.psnrY, "%.2f", 0) + " dB" }
    func ssim(_ m: Int) -> String { "SSIM " + MetricTable.num(rows[m]??.ssimY, "%.4f", 0) }
    let oneLine = r.models.allSatisfy { fits(psnr($0) + "   " + ssim($0)) }
    var out: [Int: [String]] = [:]
    for m in r.models {
      let head = name(m) + (m == r.baseline ? " (baseline)" : "")
      let lpips = "LPIPS " + MetricTable.num(rows[m]??.lpips, "%.4f", 0)
      out[m] = oneLine ? [head, psnr(m) + "   " + ssim(m), lpips] : [head, psnr(m), ssim(m), lpips]
    }
    return out
  }

  static func mapLabel(_ s: PanelSource, _ r: Request, name: (Int) -> String) -> String {
    switch r.errorMode {
    case .lpips: return "LPIPS map"
    case .versusBaseline: return "|SR\u{2212}\(name(r.baseline))|"
    default: return s == .lr ? "|LR\u{2212}HR|" : "|SR\u{2212}HR|"
    }
  }

  static func legendCaption(_ r: Request, name: (Int) -> String) -> String {
    switch r.errorMode {
    case .lpips: return "LPIPS, spatial"
    default: return "mean |\u{0394}| over RGB"
    }
  }

  static func zoomLabel(_ z: Zoom) -> String { z.down == 1 ? "\(z.up)\u{00D7}" : "1/\(z.down)\u{00D7}" }

  /// The montage picture, or `nil` when the image is not loaded.
  public static func render(_ r: Request, data: ViewerDataSource, text: TextRenderer = .shared,
                            metrics: (Int, CropRect) -> MetricRow?) -> RGBImage? {
    sheet(r, data: data, text: text, metrics: metrics).map { Montage.compose($0, text: text) }
  }

  /// Composes and writes the montage PNG (crop metrics straight from `data`).
  /// - Throws: `ViewerError.imageNotLoaded`; PNG write errors.
  public static func write(_ r: Request, data: ViewerDataSource, to path: String) throws {
    guard let img = render(r, data: data, metrics: { data.cropMetrics(model: $0, image: r.image, crop: $1) }) else {
      throw ViewerError.imageNotLoaded(r.image)
    }
    try Montage.writePNG(img, to: path)
  }
}
