import SRFormats
import SRModels
import SRTensor
import Testing

@Suite("SRVGGNetCompact variants from ncnn")
struct SRVGGVariantTests {
  /// The ncnn mapper recognises SRVGG exports with ReLU fused into the convs (no PReLU layers); only
  /// the PReLU variant is implemented, and the error says so instead of "unknown architecture".
  @Test func fusedReLUVariantIsNamedInTheError() throws {
    var d = StateDict(metadata: ["ncnn.architecture": "SRVGGNetCompact", "ncnn.act_type": "relu"])
    d["body.0.weight"] = Tensor(shape: [4, 3, 3, 3])
    d["body.0.bias"] = Tensor(shape: [4])
    d["body.2.weight"] = Tensor(shape: [12, 4, 3, 3])
    d["body.2.bias"] = Tensor(shape: [12])
    #expect(throws: ModelLoadError.unsupported("SRVGGNetCompact with act_type relu; only prelu is supported")) {
      try ModelLoader.build(d)
    }
  }
}
