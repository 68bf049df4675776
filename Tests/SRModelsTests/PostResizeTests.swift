import Foundation
import SRFormats
import SRModels
import SRTensor
import SRTestSupport
import Testing

/// ncnn graphs that end with an `Interp` after the network (realesr-animevideov3 -x2/-x3 layout).
/// Fixtures (Scripts/make_interp_fixtures.py): a tiny x4 SRVGGNetCompact followed by a bicubic
/// ×0.5 (`ncnn_srvgg_x4to2`) or ×0.75 (`ncnn_srvgg_x4to3`), with the real ncnn's output for a
/// seeded [3, 7, 6] input in `<stem>_io.npz`.
@Suite("Post-resize: networks followed by ncnn's Interp")
struct PostResizeTests {
  static func io(_ stem: String) throws -> (input: Tensor, output: Tensor) {
    let url = URL(fileURLWithPath: ModelFixtures.path(stem + "_io.npz"))
    let arrays = try NumPy.readNPZ([UInt8](try Data(contentsOf: url)))
    let x = try #require(arrays["input"]), y = try #require(arrays["output"])
    return (Tensor(shape: x.shape, data: x.data.map { Float($0) }), Tensor(shape: y.shape, data: y.data.map { Float($0) }))
  }

  /// The network's scale is the graph's real scale, and the output matches ncnn's. The bound is the
  /// model-output tolerance: the convs' Winograd rounding (~1e-5 relative, these random weights give
  /// values up to ~4) dominates the resize's (≤ 2e-6, InterpResizeTests).
  @Test(arguments: [("ncnn_srvgg_x4to2", 2, "bicubic ×0.5"), ("ncnn_srvgg_x4to3", 3, "bicubic ×0.75")])
  func runsTheGraphAtItsRealScale(_ stem: String, _ scale: Int, _ resize: String) throws {
    let loaded = try ModelLoader.load(path: ModelFixtures.path(stem + ".param"))
    let net = loaded.network
    #expect(net.scale == scale)
    #expect(net.architecture.name == "SRVGGNetCompact")
    #expect(net.architecture.hyperparameters.last.map { "\($0.0)=\($0.1)" } == "post_resize=\(resize)")
    #expect(loaded.metadata["ncnn.scale"] == "4")
    let (input, expected) = try Self.io(stem)
    let output = Upscaler(network: net).run(input)
    #expect(output.shape == [3, 7 * scale, 6 * scale])
    #expect(output.shape == expected.shape)
    let dev = Deviation(output.data, expected.data.map(Double.init))
    #expect(dev.error < Tolerance.modelOutput, "\(dev)")
  }

  /// Tiles run at the base x4 scale; the resize runs once on the assembled output, so tiling changes
  /// only the convs' rounding (as in UpscalerTests), not the resize.
  @Test(arguments: ["ncnn_srvgg_x4to2", "ncnn_srvgg_x4to3"])
  func tilesLikeTheWholeImage(_ stem: String) throws {
    let net = try ModelLoader.load(path: ModelFixtures.path(stem + ".param")).network
    var rng = SeededGenerator(seed: 3)
    let x = Tensor(shape: [3, 19, 13], data: rng.floats(3 * 19 * 13, in: 0...1))
    let whole = Upscaler(network: net).run(x)
    let tiled = Upscaler(network: net, tileSize: 5, tilePad: 6).run(x)
    #expect(whole.shape == [3, 19 * net.scale, 13 * net.scale])
    #expect(tiled.shape == whole.shape)
    let dev = Deviation(tiled.data, whole.data.map(Double.init))
    #expect(dev.error < 5e-5, "\(dev)")
  }

  /// `convert` writes `stateDict()` with the loaded metadata: the resize survives as `post_resize`
  /// and the safetensors file loads back as the same x2 model.
  @Test func convertedCheckpointKeepsTheResize() throws {
    let loaded = try ModelLoader.load(path: ModelFixtures.path("ncnn_srvgg_x4to2.param"))
    var dict = loaded.network.stateDict()
    #expect(dict.metadata["post_resize"] == "bicubic 0.5")
    dict.metadata = loaded.metadata.merging(dict.metadata) { _, new in new }
    let reread = try Safetensors.read(try Safetensors.write(dict))
    let (net, _) = try ModelLoader.build(reread)
    #expect(net.scale == 2)
    let (input, _) = try Self.io("ncnn_srvgg_x4to2")
    #expect(net.forward(input, progress: nil) == loaded.network.forward(input, progress: nil))
  }

  @Test(arguments: [
    ("bicubic 0.6", "unsupported model: post_resize 'bicubic 0.6' turns the network's x4 into x2.4; only whole scales are supported"),
    ("bicubic 1/2", "unsupported model: metadata post_resize = 'bicubic 1/2' is not '<nearest|bilinear|bicubic> <factor>[ align_corner]'"),
  ])
  func rejectsABadResize(_ value: String, _ message: String) throws {
    let loaded = try ModelLoader.load(path: ModelFixtures.path("ncnn_srvgg_x4to2.param"))
    var dict = loaded.network.stateDict()
    dict.metadata["post_resize"] = value
    #expect(throws: ModelLoadError.self) { try ModelLoader.build(dict) }
    do {
      _ = try ModelLoader.build(dict)
    } catch {
      #expect("\(error)" == message)
    }
  }

  @Test func fixedBytesCountTheBaseOutputAndTheResize() throws {
    let net = try ModelLoader.load(path: ModelFixtures.path("ncnn_srvgg_x4to2.param")).network
    let u = Upscaler(network: net)
    // weights, float input, the x4 float output, the horizontal pass ([3, 4H, 2W]), the x2 output
    // raw + clamped + 16-bit, overhead.
    #expect(u.fixedBytes(height: 10, width: 20)
      == net.residentWeightBytes + (96 << 20) + 4 * 3 * 200 + 4 * 3 * 40 * (80 + 40) + 10 * 3 * 20 * 40)
  }
}
