import SRFormats
import SRModels
import SRTensor
import SRTestSupport
import Testing

@Suite("Upscaler: padding and tiling")
struct UpscalerTests {
  @Test func tilesWithEnoughOverlapReproduceTheWholeImage() throws {
    // MSRResNet nb=2 sees about 8 LR pixels around each output pixel; a 12-pixel overlap covers it,
    // so tiled and whole-image outputs may differ only by float rounding: summation order, and the
    // Winograd F(4x4,3x3) tile grid (its rounding depends on where the 4x4 tiles fall; measured 1.6e-5).
    let net = try ModelLoader.load(path: ModelFixtures.path("msrresnet_x4.safetensors")).network
    var rng = SeededGenerator(seed: 7)
    let x = Tensor(shape: [3, 29, 23], data: rng.floats(3 * 29 * 23, in: 0...1))
    let whole = Upscaler(network: net).run(x)
    let tiled = Upscaler(network: net, tileSize: 10, tilePad: 12).run(x)
    #expect(tiled.shape == [3, 116, 92])
    let dev = Deviation(tiled.data, whole.data.map(Double.init))
    #expect(dev.error < 5e-5, "\(dev)")
  }

  /// Images and weights over the budget are an error before anything runs (tiling cannot help).
  @Test func imagesAndWeightsOverTheBudgetAreRefused() throws {
    let net = try ModelLoader.load(path: ModelFixtures.path("msrresnet_x4.safetensors")).network
    let fixed = Upscaler(network: net).fixedBytes(height: 100, width: 100)
    try Upscaler(network: net, maxMemoryBytes: fixed).checkFits(height: 100, width: 100)
    #expect(throws: UpscaleBudgetError(width: 100, height: 100, scale: 4, need: fixed, budget: fixed - 1, budgetName: " (--max-memory)")) {
      try Upscaler(network: net, maxMemoryBytes: fixed - 1).checkFits(height: 100, width: 100, budgetName: " (--max-memory)")
    }
    #expect(UpscaleBudgetError(width: 4000, height: 8000, scale: 4, need: 15 << 30, budget: 4 << 30, budgetName: "").description
      == "a 4000x8000 input gives a 16000x32000 output; images and weights need 15.0 GB, more than the budget of 4.0 GB; "
      + "tiling cannot reduce them")
  }

  @Test func memoryBudgetChoosesTiles() throws {
    let net = try ModelLoader.load(path: ModelFixtures.path("msrresnet_x4.safetensors")).network
    let probe = Upscaler(network: net)
    let fixed = probe.fixedBytes(height: 64, width: 64)
    // weights + transform, float input, raw and clamped float output + 16-bit encoding, overhead
    #expect(fixed == net.parameterCount * 20 + (96 << 20) + 4 * 3 * 64 * 64 + 10 * 3 * 64 * 64 * 16)
    let bpp = net.bytesPerInputPixel
    let roomy = Upscaler(network: net, maxMemoryBytes: fixed + 64 * 64 * bpp)
    #expect(roomy.plannedTileSize(height: 64, width: 64) == nil)
    // Room for exactly a 40x40 tile plus its 4-pixel pad on each side: 48x48 activations.
    let tight = Upscaler(network: net, tilePad: 4, maxMemoryBytes: fixed + 48 * 48 * bpp)
    #expect(tight.plannedTileSize(height: 64, width: 64) == 40)
    // A budget below the fixed part still runs, with the smallest tile.
    let starved = Upscaler(network: net, maxMemoryBytes: fixed / 2)
    #expect(starved.plannedTileSize(height: 64, width: 64) == Upscaler.minimumTile)
    // The least any run takes: the fixed part and one 32-pixel tile with its 16-pixel pad (64x64,
    // here the whole image); the starved budget is below it, the tight one above.
    #expect(starved.smallestRunBytes(height: 64, width: 64) == fixed + 64 * 64 * bpp)
    #expect(tight.smallestRunBytes(height: 64, width: 64) == fixed + 40 * 40 * bpp)
    #expect(starved.smallestRunBytes(height: 200, width: 300) > starved.maxMemoryBytes)
  }

  @Test func pixelUnshuffleModelsAcceptOddSizes() throws {
    let net = try ModelLoader.load(path: ModelFixtures.path("rrdb_x2.safetensors")).network
    let x = Tensor(shape: [3, 7, 5], repeating: 0.5)
    #expect(Upscaler(network: net).run(x).shape == [3, 14, 10])
    let net1 = try ModelLoader.load(path: ModelFixtures.path("rrdb_x1.safetensors")).network
    #expect(Upscaler(network: net1).run(x).shape == [3, 7, 5])
  }
}

@Suite("Upscaler: a region of the image")
struct UpscalerRegionTests {
  /// With context covering the receptive field, a region's output is the whole image's there, up to
  /// float rounding (summation order, the Winograd tile grid), also for pixel-unshuffle models whose
  /// region starts on an odd pixel: its context starts on the unshuffle grid (here 2), as the whole
  /// image's groups do; one pixel off, every output pixel would differ.
  @Test(arguments: ["rrdb_x2.safetensors", "srvgg_x4.safetensors", "rrdb_x4.safetensors"])
  func aRegionWithEnoughContextIsTheWholeImageThere(_ file: String) throws {
    let net = try ModelLoader.load(path: ModelFixtures.path(file)).network
    var rng = SeededGenerator(seed: 3)
    let x = Tensor(shape: [3, 100, 96], data: rng.floats(3 * 100 * 96, in: 0...1))
    let s = net.scale
    let whole = Upscaler(network: net).run(x)
    // The context starts at row 48 - 41 = 7 and column 46 - 41 = 5: odd, inside the image.
    let region = Upscaler(network: net, tilePad: 41).run(x, rows: 48..<57, columns: 46..<53)
    #expect(region.shape == [3, 9 * s, 7 * s])
    let expected = TensorRegion.crop(whole, y: 48 * s, x: 46 * s, height: 9 * s, width: 7 * s)
    let dev = Deviation(region.data, expected.data.map(Double.init))
    #expect(dev.error < 5e-5, "\(file): \(dev)")
    // Rows and columns outside the image are clipped to it.
    #expect(Upscaler(network: net).run(x, rows: -4..<3, columns: 90..<99).shape == [3, 3 * s, 6 * s])
  }
}
