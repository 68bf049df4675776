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

  @Test func memoryBudgetChoosesTiles() throws {
    let net = try ModelLoader.load(path: ModelFixtures.path("msrresnet_x4.safetensors")).network
    let roomy = Upscaler(network: net, maxMemoryBytes: 1 << 30)
    #expect(roomy.plannedTileSize(height: 64, width: 64) == nil)
    let tight = Upscaler(network: net, maxMemoryBytes: 64 * 64 * net.bytesPerInputPixel / 4)
    let tile = try #require(tight.plannedTileSize(height: 64, width: 64))
    #expect(tile < 64 && tile >= 8)
  }

  @Test func pixelUnshuffleModelsAcceptOddSizes() throws {
    let net = try ModelLoader.load(path: ModelFixtures.path("rrdb_x2.safetensors")).network
    let x = Tensor(shape: [3, 7, 5], repeating: 0.5)
    #expect(Upscaler(network: net).run(x).shape == [3, 14, 10])
    let net1 = try ModelLoader.load(path: ModelFixtures.path("rrdb_x1.safetensors")).network
    #expect(Upscaler(network: net1).run(x).shape == [3, 7, 5])
  }
}
