import Foundation

/// The labelled montage of one comparison (LR, the chosen models, HR on one crop), built from a
/// data source: what the viewer's `x` key exports and what `srscope compare` writes.
public enum ComparisonMontage {
  /// What to compose.
  public struct Request: Sendable {
    public var image: Int
    public var models: [Int]
    public var baseline: Int
    public var crop: CropRect
    public var errorMode: ErrorMapMode
    public init(image: Int, models: [Int], baseline: Int, crop: CropRect, errorMode: ErrorMapMode = .off) {
      self.image = image; self.models = models; self.baseline = baseline; self.crop = crop; self.errorMode = errorMode
    }
  }

  /// The tiles, each crop enlarged by an integer factor up to 256 px; `metrics` supplies the crop
  /// metrics shown under each model's name (the viewer passes its cached lookup).
  public static func tiles(_ r: Request, data: ViewerDataSource,
                           metrics: (Int, CropRect) -> MetricRow?) -> [Montage.Tile] {
    guard let set = data.imageSet(r.image) else { return [] }
    let crop = r.crop
    let up = max(1, min(4, 256 / max(crop.width, crop.height)))
    let size = PixelSize(width: crop.width * up, height: crop.height * up)
    let sources: [PanelSource] = [.lr] + r.models.map { .model($0) } + [.hr]
    func name(_ m: Int) -> String { data.modelNames.indices.contains(m) ? data.modelNames[m] : "model \(m + 1)" }
    return sources.compactMap { source in
      let spec = PanelSpec(source: source, image: r.image, crop: crop, zoom: Zoom(up: up, down: 1), size: size,
                           errorMode: r.errorMode, baseline: r.baseline)
      guard let img = PanelRenderer.pixels(spec, data: data) else { return nil }
      var labels: [String]
      switch source {
      case .lr: labels = ["LR x\(set.scale)", "input"]
      case .hr: labels = ["HR", "reference"]
      case .model(let m):
        let mm = metrics(m, crop)
        labels = [name(m) + (m == r.baseline ? " (base)" : ""),
                  "PSNR-Y " + MetricTable.num(mm?.psnrY, "%.2f", 0) + " SSIM " + MetricTable.num(mm?.ssimY, "%.4f", 0),
                  "LPIPS " + MetricTable.num(mm?.lpips, "%.4f", 0)]
      }
      if PanelRenderer.showsMap(source, r.errorMode, baseline: r.baseline) {
        labels[0] += " " + r.errorMode.label + " 0-" + String(format: "%g", r.errorMode.scaleMax)
      }
      return Montage.Tile(image: img, labels: labels)
    }
  }

  /// Composes and writes the montage PNG.
  public static func write(_ r: Request, data: ViewerDataSource, to path: String) throws {
    let tiles = tiles(r, data: data) { data.cropMetrics(model: $0, image: r.image, crop: $1) }
    try Montage.writePNG(Montage.compose(tiles), to: path)
  }
}
