import SRTensor

/// Runs a network over a whole image, or over overlapping tiles when asked or when the image
/// would not fit the memory budget. Pads to the network's input multiple by edge reflection.
public struct Upscaler: Sendable {
  /// The network to run.
  public var network: any SuperResolutionNetwork
  /// Tile size in input pixels; nil = whole image unless over `maxMemoryBytes`.
  public var tileSize: Int?
  /// Overlap added on each side of a tile, in input pixels.
  public var tilePad: Int = 16
  /// Peak memory budget of a run (weights, input, output and activations), used to pick a
  /// tile size automatically.
  public var maxMemoryBytes: Int = Upscaler.defaultBudget
  /// How the network's convolutions multiply (bf16: architectures defined over `LayerOps` only).
  public var precision: ConvPrecision = .fp32
  /// Memory outside the model's accounting: runtime, libraries, conv work buffers.
  public static let overheadBytes = 96 << 20
  /// Smallest automatic tile edge, in input pixels.
  public static let minimumTile = 32

  public init(network: any SuperResolutionNetwork, tileSize: Int? = nil, tilePad: Int = 16, maxMemoryBytes: Int = Upscaler.defaultBudget) {
    self.network = network; self.tileSize = tileSize; self.tilePad = tilePad; self.maxMemoryBytes = maxMemoryBytes
  }

  /// For a `PostResizedNetwork`: the upscaler of its base network, which runs the tiles, and the
  /// resize, applied once to the assembled base output (per-tile resizing is not exact at seams).
  var baseStage: (upscaler: Upscaler, resize: InterpResize)? {
    guard let resized = network as? PostResizedNetwork else { return nil }
    var inner = self
    inner.network = resized.base
    return (inner, resized.resize)
  }

  /// Bytes that do not depend on the tile size: resident weights, the float input, the float
  /// output twice (raw and clamped), a 16-bit encoding buffer for it, and `overheadBytes`; with a
  /// post-resize also the base network's float output and the resize's horizontal pass.
  public func fixedBytes(height: Int, width: Int, channels: Int = 3) -> Int {
    if let (inner, resize) = baseStage {
      let hb = height * inner.network.scale, wb = width * inner.network.scale
      let outputPixels = resize.outputSize(hb) * resize.outputSize(wb)
      return network.residentWeightBytes + Self.overheadBytes + 4 * channels * height * width
        + 4 * channels * hb * (wb + resize.outputSize(wb)) + (4 + 4 + 2) * channels * outputPixels
    }
    let outputPixels = height * width * network.scale * network.scale
    return network.residentWeightBytes + Self.overheadBytes
      + 4 * channels * height * width + (4 + 4 + 2) * channels * outputPixels
  }

  /// The default budget: 4 GiB, or `MemoryBudget.machineDefault` when that is smaller.
  public static var defaultBudget: Int { min(4 << 30, MemoryBudget.machineDefault) }

  /// Throws before anything is allocated when the images and weights alone (which tiling cannot
  /// reduce) exceed `maxMemoryBytes`; `budgetName` says where the budget came from, e.g. ` (--max-memory)`.
  public func checkFits(height: Int, width: Int, channels: Int = 3, budgetName: String = "") throws(UpscaleBudgetError) {
    let fixed = fixedBytes(height: height, width: width, channels: channels)
    guard fixed <= maxMemoryBytes else {
      throw UpscaleBudgetError(width: width, height: height, scale: network.scale, need: fixed, budget: maxMemoryBytes,
                               budgetName: budgetName)
    }
  }

  /// The estimate (`fixedBytes`, with its allowance for the runtime, plus the activations of one
  /// `minimumTile` tile with its `tilePad` border, or of the whole image if smaller) for the
  /// smallest tiling: a budget below it may be exceeded whatever the tiling.
  public func smallestRunBytes(height: Int, width: Int, channels: Int = 3) -> Int {
    let side = Self.minimumTile + 2 * tilePad
    let pixels = min(height * width, min(height, side) * min(width, side))
    return fixedBytes(height: height, width: width, channels: channels) + pixels * max(1, network.bytesPerInputPixel)
  }

  /// The tile size that will be used for an input of `height` x `width` (nil: one pass):
  /// the largest square tile (plus its `tilePad` border) whose activations fit what
  /// `maxMemoryBytes` leaves after `fixedBytes`, but at least `minimumTile`.
  public func plannedTileSize(height: Int, width: Int, channels: Int = 3) -> Int? {
    if let t = tileSize { return t >= max(height, width) ? nil : t }
    let activationBudget = maxMemoryBytes - fixedBytes(height: height, width: width, channels: channels)
    let perPixel = max(1, network.bytesPerInputPixel)
    if height * width * perPixel <= activationBudget { return nil }
    let pixels = max(0, activationBudget) / perPixel
    var side = Int(Double(pixels).squareRoot()) - 2 * tilePad
    side = max(Self.minimumTile, side - side % max(1, network.inputMultiple))
    return side >= max(height, width) ? nil : side
  }

  /// Upscales `x` ([C, H, W] in [0,1], C = the network's input channels); output is unclamped.
  public func run(_ x: Tensor, progress: ((Double) -> Void)? = nil) -> Tensor {
    if let (base, resize) = baseStage {
      var inner = base  // tiles planned for the whole run, at the base network's scale
      inner.tileSize = plannedTileSize(height: x.height, width: x.width, channels: x.channels) ?? max(x.height, x.width)
      return resize(inner.run(x, progress: progress))
    }
    guard let tile = plannedTileSize(height: x.height, width: x.width, channels: x.channels) else {
      return runPadded(x, progress: progress)
    }
    return runTiled(x, tile: tile, progress: progress)
  }

  /// Pads right/bottom by reflection to the input multiple, runs, crops.
  func runPadded(_ x: Tensor, progress: ((Double) -> Void)?) -> Tensor {
    let m = network.inputMultiple
    let ph = (m - x.height % m) % m, pw = (m - x.width % m) % m
    if ph == 0 && pw == 0 { return forward(x, progress: progress) }
    let padded = TensorRegion.reflectPad(x, bottom: ph, right: pw)
    let y = forward(padded, progress: progress)
    let s = network.scale
    return TensorRegion.crop(y, y: 0, x: 0, height: x.height * s, width: x.width * s)
  }

  /// The network's forward pass in `precision`.
  private func forward(_ x: Tensor, progress: ((Double) -> Void)?) -> Tensor {
    if precision != .fp32, let layered = network as? any LayeredNetwork {
      return layered.forward(x, precision: precision, progress: progress)
    }
    return network.forward(x, progress: progress)
  }

  /// The precision `run` uses for `requested` on this network and CPU, and a one-line note when
  /// it is not the one requested.
  public static func effectivePrecision(_ requested: ConvPrecision, for network: any SuperResolutionNetwork)
    -> (precision: ConvPrecision, note: String?) {
    guard requested == .bf16 else { return (requested, nil) }
    let base = (network as? PostResizedNetwork)?.base ?? network
    guard base is any LayeredNetwork else {
      return (.fp32, "precision bf16: \(base.architecture.name) runs in fp32 only (bf16 covers RRDBNet, SRResNet, MSRResNet)")
    }
    return ConvPrecision.available(requested)
  }

  func runTiled(_ x: Tensor, tile: Int, progress: ((Double) -> Void)?) -> Tensor {
    let s = network.scale
    var out = Tensor(channels: x.channels, height: x.height * s, width: x.width * s)
    let rows = (x.height + tile - 1) / tile, cols = (x.width + tile - 1) / tile
    for ty in 0..<rows {
      for tx in 0..<cols {
        let y0 = ty * tile, x0 = tx * tile
        let core = runWindow(x, y0: y0, x0: x0, y1: min(x.height, y0 + tile), x1: min(x.width, x0 + tile))
        TensorRegion.paste(core, into: &out, y: y0 * s, x: x0 * s)
        progress?(Double(ty * cols + tx + 1) / Double(rows * cols))
      }
    }
    return out
  }

  /// The output for input rows `y0..<y1` and columns `x0..<x1` only, `[C, (y1-y0)*s, (x1-x0)*s]`:
  /// what one tile computes, from the rectangle grown by `tilePad` context pixels on each side
  /// (clamped to the image, and its start aligned to `inputMultiple` so pixel-unshuffle groups the
  /// pixels as the whole image does). Near the rectangle's inner edges it differs from the
  /// whole-image output by what lies beyond the context (as tiles do); at the image's edges it is exact.
  /// A post-resized network runs the whole image and is cropped (its resize is not local).
  public func run(_ x: Tensor, rows: Range<Int>, columns: Range<Int>) -> Tensor {
    let y0 = max(0, rows.lowerBound), x0 = max(0, columns.lowerBound)
    let y1 = min(x.height, max(y0, rows.upperBound)), x1 = min(x.width, max(x0, columns.upperBound))
    if baseStage != nil {
      let s = network.scale
      return TensorRegion.crop(run(x), y: y0 * s, x: x0 * s, height: (y1 - y0) * s, width: (x1 - x0) * s)
    }
    return runWindow(x, y0: y0, x0: x0, y1: y1, x1: x1)
  }

  func runWindow(_ x: Tensor, y0: Int, x0: Int, y1: Int, x1: Int) -> Tensor {
    let s = network.scale, m = max(1, network.inputMultiple)
    var py0 = max(0, y0 - tilePad), px0 = max(0, x0 - tilePad)
    py0 -= py0 % m
    px0 -= px0 % m
    let py1 = min(x.height, y1 + tilePad), px1 = min(x.width, x1 + tilePad)
    let input = TensorRegion.crop(x, y: py0, x: px0, height: py1 - py0, width: px1 - px0)
    let result = runPadded(input, progress: nil)
    return TensorRegion.crop(result, y: (y0 - py0) * s, x: (x0 - px0) * s, height: (y1 - y0) * s, width: (x1 - x0) * s)
  }
}

/// An upscale whose images and weights alone exceed the memory budget.
public struct UpscaleBudgetError: Error, CustomStringConvertible, Equatable, Sendable {
  public var width, height, scale, need, budget: Int
  public var budgetName: String
  public init(width: Int, height: Int, scale: Int, need: Int, budget: Int, budgetName: String) {
    self.width = width; self.height = height; self.scale = scale; self.need = need; self.budget = budget
    self.budgetName = budgetName
  }
  public var description: String {
    "a \(width)x\(height) input gives a \(width * scale)x\(height * scale) output; images and weights need "
      + "\(MemoryBudget.describe(need)), more than the budget of \(MemoryBudget.describe(budget))\(budgetName); tiling cannot reduce them"
  }
}
