/// Which difference map replaces the pictures in the model panels.
public enum ErrorMapMode: Int, Sendable, CaseIterable {
  /// Pictures, no error map.
  case off
  /// Mean over RGB of |SR - HR| per pixel.
  case versusHR
  /// Mean over RGB of |model - baseline| per pixel.
  case versusBaseline
  /// The data source's spatial LPIPS map.
  case lpips

  /// A short label for the status line and legend.
  public var label: String {
    switch self {
    case .off: return "off"
    case .versusHR: return "|SR-HR|"
    case .versusBaseline: return "|A-base|"
    case .lpips: return "LPIPS map"
    }
  }

  /// The value mapped to the top of the colour scale (fixed, so maps are comparable).
  public var scaleMax: Float {
    switch self {
    case .off, .versusHR, .versusBaseline: return 0.25
    case .lpips: return 1
    }
  }
}

/// Work the run loop must do after a key, outside the pure reducer.
public enum ViewerEffect: Sendable, Equatable {
  /// Rank crops and jump to the worst one (`restart`) or to the next in the ranking.
  case findWorst(restart: Bool)
  /// Write the PNG montage of the current comparison.
  case export
  /// Leave the viewer.
  case quit
}

/// Facts about the data the reducer needs to clamp values.
public struct ViewerContext: Sendable, Equatable {
  /// Number of models.
  public var modelCount: Int
  /// Number of images.
  public var imageCount: Int
  /// HR size of the current image (0 while loading).
  public var imageSize: PixelSize
  /// Whether model A and the baseline can be interpolated (`<` / `>`).
  public var interpolation: InterpolationStatus

  /// Creates a context.
  public init(modelCount: Int, imageCount: Int, imageSize: PixelSize, interpolation: InterpolationStatus = .checking) {
    self.modelCount = modelCount
    self.imageCount = imageCount
    self.imageSize = imageSize
    self.interpolation = interpolation
  }
}

/// Everything the user controls, as a pure value; `reduce(_:_:_:)` applies one key.
public struct ViewerState: Sendable, Equatable {
  /// Crop sizes (square, HR pixels) that `+`/`-` step through.
  public static let cropSizes = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]

  /// Index of the current image.
  public var imageIndex = 0
  /// Left column of the crop in HR pixels.
  public var cropX = 0
  /// Top row of the crop in HR pixels.
  public var cropY = 0
  /// Index into `cropSizes` (`[` / `]`).
  public var cropSizeIndex = 4
  /// Magnification steps from the zoom that fits the window (`+` / `-`; 0 = fit).
  public var zoomSteps = 0
  /// Models shown as panels, in index order.
  public var shownModels: [Int] = []
  /// The model "A" used by error maps, blink and worst-first.
  public var focus = 0
  /// The baseline model for deltas and |A - base|.
  public var baseline = 0
  /// Blink mode: one large panel alternating between focus and baseline (or HR).
  public var blink = false
  /// Which of the two blink sources is on screen (0 or 1).
  public var blinkPhase = 0
  /// The error-map mode.
  public var errorMode = ErrorMapMode.off
  /// Alpha of the A<->base interpolation panel in tenths (`<` / `>`), nil when the panel is off.
  public var interpolationTenths: Int?
  /// Whether the help overlay is visible.
  public var showHelp = false
  /// Ranked crops from the last worst-first search, over every image of the set.
  public var worstRanking: [CropRect] = []
  /// The image of each entry of `worstRanking`.
  public var worstImages: [Int] = []
  /// The metric table shows the mean over the set's images instead of the current image (`m`).
  public var showSetMean = false
  /// Position in `worstRanking` currently shown.
  public var worstIndex = 0
  /// Work requested by the last key, cleared by the run loop.
  public var effect: ViewerEffect?
  /// A one-line message for the status bar (export path, errors).
  public var message: String?

  /// The initial state: all models (up to 9) shown, focus on the last, baseline the first.
  public init(modelCount: Int) {
    shownModels = Array(0..<min(modelCount, 9))
    focus = max(0, shownModels.last ?? 0)
    baseline = 0
  }

  /// Current crop side in HR pixels.
  public var cropSize: Int { Self.cropSizes[cropSizeIndex] }

  /// The crop rectangle, clipped to `imageSize`.
  public func crop(in imageSize: PixelSize) -> CropRect {
    CropRect(x: cropX, y: cropY, width: min(cropSize, imageSize.width), height: min(cropSize, imageSize.height))
  }

  /// The second blink source: the baseline, or HR (`nil`) when the focus is the baseline.
  public var blinkPartner: Int? { baseline == focus ? nil : baseline }
}
