import Foundation
import SRFormats
import SRModels
import SRTensor
import Testing

/// ESRGAN network interpolation on real checkpoints (the tiny fixtures, in several formats) and on
/// hand-made tensors whose blend was computed independently (NumPy, see `independentValues`).
@Suite struct NetworkInterpolationTests {
  static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
  static let formats = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("SRFormatsTests/Fixtures")

  /// A checkpoint as `srscope interpolate` reads it: canonical tensors of the file, detected architecture.
  func parent(_ url: URL, name: String? = nil) throws -> NetworkInterpolation.Parent {
    let (model, weights) = try ModelLoader.loadWithStateDict(path: url.path)
    return .init(name: name ?? url.lastPathComponent, weights: weights, architecture: model.network.architecture)
  }

  /// `p` with every tensor mapped by `f` (another network of the same architecture).
  func mapped(_ p: NetworkInterpolation.Parent, name: String, _ f: (Float) -> Float) -> NetworkInterpolation.Parent {
    var q = p
    q.name = name
    for k in q.weights.keys { q.weights[k] = Tensor(shape: p.weights[k]!.shape, data: p.weights[k]!.data.map(f)) }
    return q
  }

  func bits(_ d: StateDict) -> [String: [UInt32]] { d.tensors.mapValues { $0.data.map(\.bitPattern) } }

  @Test func alphaZeroAndOneGiveTheParentsBitForBitThroughTheFile() throws {
    var a = try parent(Self.models.appendingPathComponent("rrdb_x4.safetensors"), name: "a")
    // A -0 in A: (1 - 0) * -0 + 0 * b would be +0; alpha 0 must still give A's bytes.
    a.weights["conv_first.bias"]!.data[0] = -0.0
    let b = mapped(a, name: "b") { -2 * $0 + 0.01 }
    for (alpha, expected) in [(0.0, a), (1.0, b)] {
      let blend = try NetworkInterpolation.interpolate(a, b, alpha: alpha)
      #expect(blend.keys == a.weights.keys)
      let reread = try Safetensors.read(try Safetensors.write(blend))
      let got = bits(reread), want = bits(expected.weights)
      let differing = expected.weights.keys.filter { got[$0] != want[$0] }
      #expect(differing.isEmpty, "alpha \(alpha): \(differing)")
    }
  }

  /// (1 - 0.3) * a + 0.3 * b in float64, rounded to float32, by NumPy:
  /// `(0.7 * a.astype(np.float64) + 0.3 * b.astype(np.float64)).astype(np.float32).view(np.uint32)`.
  @Test func alphaPointThreeMatchesIndependentValues() throws {
    let arch = ArchitectureDescription(name: "Toy", hyperparameters: [])
    let a = NetworkInterpolation.Parent(name: "a", weights: StateDict(tensors: ["w": Tensor(shape: [2, 3], data: [1, -2, 0.5, 3e-3, -0.0, 1e-8])]),
                                        architecture: arch)
    let b = NetworkInterpolation.Parent(name: "b", weights: StateDict(tensors: ["w": Tensor(shape: [2, 3], data: [2, 4, -0.5, 1, 0, -1e-8])]),
                                        architecture: arch)
    let blend = try NetworkInterpolation.interpolate(a, b, alpha: 0.3)
    #expect(blend["w"]!.data.map(\.bitPattern) == [0x3fa6_6666, 0xbe4c_cccd, 0x3e4c_cccd, 0x3e9a_acda, 0x0, 0x3189_705f])
    #expect(blend["w"]!.shape == [2, 3])
  }

  /// Two different real networks of one architecture from two formats: a BasicSR zip `.pth` and an
  /// ncnn fp32 `.param`/`.bin` (different weights). Every element at alpha 0.3 equals the blend
  /// computed here from each file's own loader, and the result runs as the same RRDBNet.
  @Test func blendsAPthWithAnNCNNModelElementwise() throws {
    let a = try parent(Self.formats.appendingPathComponent("rrdb_basicsr_zip.pth"))
    let b = try parent(Self.formats.appendingPathComponent("ncnn_rrdb_fp32.param"))
    #expect(a.weights.tensors != b.weights.tensors)
    let blend = try NetworkInterpolation.interpolate(a, b, alpha: 0.3)
    #expect(Set(blend.keys) == Set(a.weights.keys) && blend.count == 42)
    for key in a.weights.keys {
      let expected = zip(a.weights[key]!.data, b.weights[key]!.data).map { Float(0.7 * Double($0) + 0.3 * Double($1)) }
      #expect(blend[key]!.data == expected, "\(key)")
    }
    let net = try NetworkInterpolation.network(a, b, alpha: 0.3)
    #expect(net.architecture == a.architecture)
    // The same weights in two key layouts interpolate to themselves.
    let legacy = try parent(Self.formats.appendingPathComponent("rrdb_esrgan2019_legacy.pth"))
    let same = try NetworkInterpolation.interpolate(a, legacy, alpha: 0.3)
    #expect(same.tensors == a.weights.tensors)
  }

  @Test func batchNormStatisticsBlendAndTheBatchCounterIsAs() throws {
    var a = try parent(Self.models.appendingPathComponent("srresnet_bn_x4.safetensors"), name: "a")
    a.weights["model.1.sub.0.res.1.num_batches_tracked"] = Tensor(shape: [], data: [9000])
    var b = mapped(a, name: "b") { $0 * 3 + 1 }
    b.weights["model.1.sub.0.res.1.num_batches_tracked"] = Tensor(shape: [], data: [3000])
    let blend = try NetworkInterpolation.interpolate(a, b, alpha: 0.5)
    #expect(blend["model.1.sub.0.res.1.num_batches_tracked"]!.data == [9000])
    let mean = "model.1.sub.0.res.1.running_mean", variance = "model.1.sub.0.res.1.running_var"
    for key in [mean, variance] {
      #expect(blend[key]!.data == a.weights[key]!.data.map { Float(0.5 * Double($0) + 0.5 * Double($0 * 3 + 1)) })
    }
    // It still loads as the BN SRResNet (the loader ignores the counter).
    #expect(try ArchitectureRegistry.build(blend).architecture == a.architecture)
  }

  @Test func keepsTheMetadataBothParentsAgreeOnAndRecordsTheBlend() throws {
    var a = try parent(Self.models.appendingPathComponent("rrdb_x4.safetensors"), name: "runs/a.safetensors")
    a.weights.metadata = ["residual_scale": "0.2", "iteration": "3000", "interpolation.alpha": "0.9"]
    var b = mapped(a, name: "runs/b.pth") { $0 / 2 }
    b.weights.metadata = ["residual_scale": "0.2", "iteration": "9000", "interpolation.alpha": "0.9"]
    let blend = try NetworkInterpolation.interpolate(a, b, alpha: 0.25)
    #expect(blend.metadata == ["residual_scale": "0.2", "interpolation.alpha": "0.25",
                               "interpolation.a": "runs/a.safetensors", "interpolation.b": "runs/b.pth"])
  }

  @Test func differencesAreOneLineNamingTheFirstOne() throws {
    let rrdb = try parent(Self.models.appendingPathComponent("rrdb_x4.safetensors"), name: "a")
    let srvgg = try parent(Self.models.appendingPathComponent("srvgg_x4.safetensors"), name: "b")
    let small = try parent(Self.formats.appendingPathComponent("rrdb_basicsr_zip.pth"), name: "b")
    func message(_ a: NetworkInterpolation.Parent, _ b: NetworkInterpolation.Parent, alpha: Double = 0.5) -> String {
      do { _ = try NetworkInterpolation.interpolate(a, b, alpha: alpha); return "accepted" } catch { return "\(error)" }
    }
    #expect(message(rrdb, srvgg) == "different architectures: a is RRDBNet, b is SRVGGNetCompact")
    #expect(message(rrdb, small) == "different keys: 'body.1.rdb1.conv1.bias' is in a but not in b")
    // Same keys, other widths: the first tensor (in a's order) whose shape differs.
    var narrow = rrdb
    narrow.name = "b"
    narrow.weights["conv_last.weight"] = Tensor(shape: [3, 4, 3, 3], repeating: 0)
    #expect(message(rrdb, narrow) == "shape mismatch for 'conv_last.weight': [3, 8, 3, 3] in a, [3, 4, 3, 3] in b")
    var extra = rrdb
    extra.name = "b"
    extra.weights["conv_first.num_batches_tracked"] = Tensor(shape: [], data: [1])
    #expect(message(rrdb, extra) == "different keys: 'conv_first.num_batches_tracked' is in b but not in a")
    // Residual scaling does not show in the shapes: named with both values.
    var unscaled = rrdb
    unscaled.name = "b"
    unscaled.architecture = ArchitectureDescription(name: "RRDBNet", hyperparameters: rrdb.architecture.hyperparameters + [("residual_scale", "1.0")])
    #expect(message(rrdb, unscaled) == "different architectures: residual_scale is unset (default) in a, 1.0 in b")
    for alpha in [-0.1, 1.5, Double.nan] {
      #expect(message(rrdb, rrdb, alpha: alpha) == "alpha \(alpha) is outside [0, 1] (0 gives the first network, 1 the second)")
    }
  }
}
