import Foundation
import Testing
@testable import SRFormats
import SRTensor

/// Paths of the committed ncnn fixtures (written by Scripts/make_ncnn_fixtures.py).
enum NCNNFixtures {
  static func url(_ name: String, _ ext: String) throws -> URL {
    try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"))
  }

  static func text(_ name: String) throws -> String {
    try String(contentsOf: url(name, "param"), encoding: .utf8)
  }

  static func bin(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: url(name, "bin")))
  }

  /// The numpy-side expectation: keys in order, tensors, metadata.
  struct Expected {
    var keys: [String]
    var tensors: [String: Tensor]
    var metadata: [String: String]
  }

  static func expected(_ name: String) throws -> Expected {
    let data = try Data(contentsOf: url(name + "_expected", "json"))
    let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let keys = try #require(root["keys"] as? [String])
    let metadata = try #require(root["metadata"] as? [String: String])
    let raw = try #require(root["tensors"] as? [String: [String: Any]])
    var tensors: [String: Tensor] = [:]
    for (key, entry) in raw {
      let shape = try #require(entry["shape"] as? [Int])
      let values = try #require(entry["values"] as? [Double])
      tensors[key] = Tensor(shape: shape, data: values.map { Float($0) })
    }
    return Expected(keys: keys, tensors: tensors, metadata: metadata)
  }
}

@Suite struct NCNNFixtureTests {
  /// Every BasicSR key, shape and value equals what numpy wrote (exact: the values are
  /// float32, or float16-exact for the fp16 files, so decoding must be lossless).
  @Test(arguments: ["ncnn_rrdb_fp32", "ncnn_rrdb_fp16", "ncnn_srvgg"])
  func mapsEveryWeightToItsBasicSRKey(_ name: String) throws {
    let graph = try NCNNModel.read(paramPath: NCNNFixtures.url(name, "param").path)
    let dict = try NCNNModel.toStateDict(graph)
    let expected = try NCNNFixtures.expected(name)
    #expect(dict.keys == expected.keys)
    #expect(dict.metadata == expected.metadata)
    for key in expected.keys {
      let actual = try #require(dict[key], "missing \(key)")
      let want = try #require(expected.tensors[key])
      #expect(actual.shape == want.shape, "\(key)")
      #expect(actual.data == want.data, "\(key)")
    }
  }

  @Test func parsesLayerParamsAsWritten() throws {
    let graph = try NCNNModel.parse(param: NCNNFixtures.text("ncnn_rrdb_fp16"),
                                    bin: NCNNFixtures.bin("ncnn_rrdb_fp16"))
    #expect(graph.layers.count == 53)
    let counts = Dictionary(graph.layers.map { ($0.type, 1) }, uniquingKeysWith: +)
    #expect(counts == ["Input": 1, "Convolution": 21, "Split": 12, "Concat": 12, "Eltwise": 4,
                       "BinaryOp": 1, "Interp": 2])
    let first = graph.layers[1]
    #expect(first.type == "Convolution" && first.name == "Conv_conv_first" && first.line == 4)
    #expect(first.inputs == ["data"] && first.outputs == ["b1"])
    #expect(first.intParams == [0: 4, 1: 3, 4: 1, 5: 1, 6: 108])
    #expect(first.floatParams.isEmpty && first.arrayParams.isEmpty)
    #expect(first.weights.map(\.shape) == [[4, 3, 3, 3], [4]])
    let conv1 = graph.layers[3]
    #expect(conv1.intParams[9] == 2 && conv1.arrayParams == [10: [0.2]])
    let eltwise = try #require(graph.layers.first { $0.type == "Eltwise" })
    #expect(eltwise.intParams == [0: 1] && eltwise.arrayParams == [1: [0.2, 1.0]])
    let interp = try #require(graph.layers.first { $0.type == "Interp" })
    #expect(interp.intParams == [0: 1] && interp.floatParams == [1: 2.0, 2: 2.0])
    #expect(graph.layers.last?.outputs == ["output"])
  }

  /// Reference bit patterns: IEEE 754 binary16 (numpy `np.float16` agrees on every one).
  @Test(arguments: [
    (UInt16(0x3C00), Float(1)), (0xC000, -2), (0x0000, 0), (0x0001, 5.9604645e-08),
    (0x03FF, 6.0975552e-05), (0x0400, 6.1035156e-05), (0x7BFF, 65504), (0x3555, 0.33325195),
    (0x7C00, .infinity), (0xFC00, -.infinity),
  ])
  func decodesHalfFloats(_ bits: UInt16, _ value: Float) {
    #expect(NCNNWeightReader.halfToFloat(bits) == value)
  }

  @Test func decodesHalfNaNAndNegativeZero() {
    #expect(NCNNWeightReader.halfToFloat(0x7E00).isNaN)
    let negZero = NCNNWeightReader.halfToFloat(0x8000)
    #expect(negZero == 0 && negZero.sign == .minus)
  }

  /// The x2 / x3 animevideov3 layout: the x4 graph, its output going to a last bicubic Interp.
  static func withTail(_ params: String, from stem: String = "ncnn_srvgg") throws -> String {
    try NCNNFixtures.text(stem).replacingOccurrences(of: "12 13\n", with: "13 14\n")
      .replacingOccurrences(of: "b9 output", with: "b9 sum")
      + "Interp Resize_40 1 1 sum output \(params)\n"
  }

  /// The fixture net is x2, so ×0.5, ×1.5 and ×2 give whole scales (x1, x3, x4).
  @Test(arguments: [("0=3 1=1.500000e+00 2=1.500000e+00", "bicubic 1.5"),
                    ("0=3 1=5.000000e-01 2=5.000000e-01", "bicubic 0.5"),
                    ("0=2 1=1.5 2=1.5 6=1", "bilinear 1.5 align_corner"),
                    ("0=1 1=2.0 2=2.0", "nearest 2.0")])
  func recordsTheLastInterpAsPostResize(_ params: String, _ metadata: String) throws {
    let text = try Self.withTail(params)
    let dict = try NCNNModel.toStateDict(NCNNModel.parse(param: text, bin: NCNNFixtures.bin("ncnn_srvgg")))
    #expect(dict.metadata["post_resize"] == metadata)
    #expect(dict.metadata["ncnn.scale"] == "2")
    #expect(dict.count == 11)
  }

  /// An Interp that is last in the file but does not read the network's output is no post-resize:
  /// it stays in the graph, where the SRVGG mapper finds one Interp too many.
  @Test func lastInterpReadingTheInputIsNotAPostResize() throws {
    let text = try NCNNFixtures.text("ncnn_srvgg").replacingOccurrences(of: "12 13\n", with: "13 15\n")
      .replacingOccurrences(of: "split_data               1 2 data data_splitncnn_0 data_splitncnn_1",
                            with: "split_data               1 3 data data_splitncnn_0 data_splitncnn_1 data_splitncnn_2")
      + "Interp Resize_40 1 1 data_splitncnn_2 extra 0=3 1=0.5 2=0.5\n"
    let graph = try NCNNModel.parse(param: text, bin: NCNNFixtures.bin("ncnn_srvgg"))
    #expect(throws: NCNNError.unrecognizedGraph("SRVGGNetCompact: expected 1 Interp layers, found 2")) {
      try NCNNModel.toStateDict(graph)
    }
  }
}
