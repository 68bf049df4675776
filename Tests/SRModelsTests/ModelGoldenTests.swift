import Foundation
import SRFormats
import SRModels
import SRTensor
import SRTestSupport
import Testing

/// Fixtures made by Scripts/make_model_fixtures.py: tiny seeded generators with the float64
/// NumPy forward pass written from SR-SPEC §1 as the reference.
enum ModelFixtures {
  static func path(_ name: String) -> String {
    Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!.path
  }

  static func npy(_ name: String) throws -> Tensor {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    let (shape, data) = try NumPy.readNPY(bytes)
    return Tensor(shape: shape, data: data.map { Float($0) })
  }
}

struct GoldenCase: Sendable, CustomTestStringConvertible {
  var name: String
  var architecture: String
  var hyperparameters: [String: String]
  var testDescription: String { name }
}

@Suite("Architectures against the NumPy float64 reference")
struct ModelGoldenTests {
  static let cases: [GoldenCase] = [
    GoldenCase(name: "rrdb_x4", architecture: "RRDBNet", hyperparameters: ["scale": "4", "num_feat": "8", "num_block": "2", "num_grow_ch": "4"]),
    GoldenCase(name: "rrdb_x2", architecture: "RRDBNet", hyperparameters: ["scale": "2", "num_feat": "8", "num_block": "2"]),
    GoldenCase(name: "rrdb_x1", architecture: "RRDBNet", hyperparameters: ["scale": "1", "num_feat": "8"]),
    GoldenCase(name: "msrresnet_x4", architecture: "MSRResNet", hyperparameters: ["upscale": "4", "num_block": "2"]),
    GoldenCase(name: "msrresnet_x3", architecture: "MSRResNet", hyperparameters: ["upscale": "3", "num_feat": "8"]),
    GoldenCase(name: "srresnet_bn_x4", architecture: "SRResNet-BN", hyperparameters: ["nb": "2", "norm_type": "batch"]),
    GoldenCase(name: "srresnet_nobn_x4", architecture: "SRResNet", hyperparameters: ["nb": "2", "norm_type": "none"]),
    GoldenCase(name: "srvgg_x4", architecture: "SRVGGNetCompact", hyperparameters: ["num_conv": "2", "upscale": "4"]),
  ]

  @Test(arguments: cases)
  func forwardMatchesReference(_ c: GoldenCase) throws {
    let loaded = try ModelLoader.load(path: ModelFixtures.path(c.name + ".safetensors"))
    #expect(loaded.network.architecture.name == c.architecture)
    let hp = Dictionary(uniqueKeysWithValues: loaded.network.architecture.hyperparameters)
    for (k, v) in c.hyperparameters { #expect(hp[k] == v, "\(k)") }
    let input = try ModelFixtures.npy(c.name + ".input.npy")
    let expected = try ModelFixtures.npy(c.name + ".output.npy")
    let output = loaded.network.forward(input, progress: nil)
    #expect(output.shape == expected.shape)
    // Float32 network vs float64 reference: outputs are O(1..8); 1e-4 abs-or-rel holds with margin.
    let dev = Deviation(output.data, expected.data.map(Double.init))
    #expect(dev.error < Tolerance.opElement, "\(dev)")
  }

  @Test func parameterCountsOfPublishedConfigurations() throws {
    // SR-SPEC §1.2, §1.4, §1.6: 16,697,987 (RRDBNet 64/23/32), 4,467,779 (6 blocks),
    // 1,517,571 (MSRResNet x4), 621,424 (SRVGGNetCompact num_conv 16).
    #expect(try Self.zeroRRDB(numBlock: 23).parameterCount == 16_697_987)
    #expect(try Self.zeroRRDB(numBlock: 6).parameterCount == 4_467_779)
    let msr = try MSRResNet(config: .init(), weights: Self.zeroWeights(MSRResNetShapes.all()))
    #expect(msr.parameterCount == 1_517_571)
    var vgg = Self.zeroWeights(["body.0": [64, 3], "body.34": [48, 64]])
    for k in 1...16 { vgg = Self.merge(vgg, Self.zeroWeights(["body.\(2 * k)": [64, 64]])) }
    for k in 0...16 { vgg["body.\(2 * k + 1).weight"] = Tensor(shape: [64]) }
    #expect(try SRVGGNetCompact(config: .init(), weights: vgg).parameterCount == 621_424)
  }

  static func zeroRRDB(numBlock: Int) throws -> RRDBNet {
    var shapes: [String: [Int]] = ["conv_first": [64, 3], "conv_body": [64, 64], "conv_up1": [64, 64],
                                   "conv_up2": [64, 64], "conv_hr": [64, 64], "conv_last": [3, 64]]
    for b in 0..<numBlock {
      for r in 1...3 {
        for i in 1...5 { shapes["body.\(b).rdb\(r).conv\(i)"] = [i == 5 ? 64 : 32, 64 + (i - 1) * 32] }
      }
    }
    return try RRDBNet(config: .init(numBlock: numBlock), weights: zeroWeights(shapes))
  }

  static func zeroWeights(_ convs: [String: [Int]]) -> StateDict {
    var d = StateDict()
    for (k, s) in convs.sorted(by: { $0.key < $1.key }) {
      d[k + ".weight"] = Tensor(shape: [s[0], s[1], 3, 3])
      d[k + ".bias"] = Tensor(shape: [s[0]])
    }
    return d
  }

  static func merge(_ a: StateDict, _ b: StateDict) -> StateDict {
    var out = a
    for k in b.keys { out[k] = b.tensors[k] }
    return out
  }
}

enum MSRResNetShapes {
  static func all() -> [String: [Int]] {
    var s: [String: [Int]] = ["conv_first": [64, 3], "upconv1": [256, 64], "upconv2": [256, 64],
                              "conv_hr": [64, 64], "conv_last": [3, 64]]
    for i in 0..<16 { s["body.\(i).conv1"] = [64, 64]; s["body.\(i).conv2"] = [64, 64] }
    return s
  }
}
