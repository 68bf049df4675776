import Foundation
import SRFormats
import SRModels
import SRTensor
import SRTestSupport
import Testing

/// The same tiny RRDBNet (nf 4, nb 1, gc 2) written by Scripts/make_pth_fixtures.py (standard
/// library pickle/zipfile only) as a BasicSR zip `.pth` (params_ema wrapper), a legacy `.pth` with
/// ESRGAN-2019 keys and a `module.` prefix, a zip `.pth` with 2018 old-arch keys, and safetensors:
/// every file loads through `ModelLoader` to the same weights and the same output.
@Suite("Same network from every format and key layout")
struct CrossFormatTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("SRFormatsTests/Fixtures")

  static let files: [(String, CheckpointFormat, KeyLayout)] = [
    ("rrdb_basicsr.safetensors", .safetensors, .basicSR),
    ("rrdb_basicsr_zip.pth", .torchZip, .basicSR),
    ("rrdb_esrgan2019_legacy.pth", .torchLegacy, .esrgan2019),
    ("rrdb_oldarch_zip.pth", .torchZip, .esrgan2018),
  ]

  @Test func everyFileLoadsToTheSameNetworkAndOutput() throws {
    var rng = SeededGenerator(seed: 11)
    let input = Tensor(shape: [3, 7, 9], data: rng.floats(3 * 7 * 9, in: 0...1))
    var reference: (weights: [String: Tensor], output: Tensor)?
    for (name, format, layout) in Self.files {
      let loaded = try ModelLoader.load(path: Self.folder.appendingPathComponent(name).path)
      #expect(loaded.format == format, "\(name)")
      #expect(loaded.keyLayout == layout, "\(name)")
      #expect(loaded.network.architecture.description
        == "RRDBNet(num_in_ch=3, num_out_ch=3, scale=4, num_feat=4, num_block=1, num_grow_ch=2)")
      let weights = loaded.network.stateDict().tensors
      let output = loaded.network.forward(input, progress: nil)
      #expect(output.shape == [3, 28, 36])
      if let ref = reference {
        #expect(weights == ref.weights, "\(name): weights differ")
        #expect(output.data == ref.output.data, "\(name): output differs")
      } else {
        reference = (weights, output)
      }
    }
  }

  @Test func paramsEmaIsPreferredOverParams() throws {
    // The zip fixture's `params` holds the negated weights: loading must pick `params_ema`.
    let zip = try ModelLoader.load(path: Self.folder.appendingPathComponent("rrdb_basicsr_zip.pth").path)
    let st = try ModelLoader.load(path: Self.folder.appendingPathComponent("rrdb_basicsr.safetensors").path)
    #expect(zip.network.stateDict().tensors["conv_first.weight"] == st.network.stateDict().tensors["conv_first.weight"])
  }

  @Test func maliciousPickleIsRejectedNamingTheGlobal() throws {
    for (file, global) in [("evil_os_system.pth", "os.system"), ("evil_builtins_eval.pth", "builtins.eval")] {
      let path = Self.folder.appendingPathComponent(file).path
      #expect {
        try ModelLoader.load(path: path)
      } throws: { error in
        "\(error)" == "\(path): reading pickle: forbidden global '\(global)'"
      }
    }
  }
}
