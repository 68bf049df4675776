import Foundation
import SRFormats
import SRModels
import SRTensor
import SRTestSupport
import Testing

/// The same tiny RRDBNet under every key layout and wrapper loads to the same weights and output.
@Suite("RRDB key layouts")
struct KeyLayoutTests {
  static func basicSR() throws -> StateDict {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ModelFixtures.path("rrdb_x4.safetensors"))))
    return try Safetensors.read(bytes)
  }

  /// BasicSR -> ESRGAN 2019 names, written independently of the loader's rules.
  static func to2019(_ d: StateDict) -> StateDict {
    rename(d) { k in
      var k = k
      for (a, b) in [("conv_body.", "trunk_conv."), ("conv_up1.", "upconv1."), ("conv_up2.", "upconv2."), ("conv_hr.", "HRconv.")]
      where k.hasPrefix(a) { k = b + k.dropFirst(a.count) }
      if k.hasPrefix("body.") { k = "RRDB_trunk." + k.dropFirst(5).replacingOccurrences(of: ".rdb", with: ".RDB") }
      return "module." + k
    }
  }

  /// BasicSR -> ESRGAN 2018 old-arch `model.N` names (SR-SPEC §1.3 table, nb = 2).
  static func to2018(_ d: StateDict) -> StateDict {
    let top = ["conv_first.": "model.0.", "conv_body.": "model.1.sub.2.", "conv_up1.": "model.3.",
               "conv_up2.": "model.6.", "conv_hr.": "model.8.", "conv_last.": "model.10."]
    return rename(d) { k in
      for (a, b) in top where k.hasPrefix(a) { return b + k.dropFirst(a.count) }
      let parts = k.split(separator: ".")  // body.b.rdbR.convC.weight
      return "model.1.sub.\(parts[1]).RDB\(parts[2].dropFirst(3)).\(parts[3]).0.\(parts[4])"
    }
  }

  static func rename(_ d: StateDict, _ f: (String) -> String) -> StateDict {
    var out = StateDict()
    for k in d.keys { out[f(k)] = d.tensors[k] }
    return out
  }

  @Test func everyLayoutLoadsToTheSameNetwork() throws {
    let base = try Self.basicSR()
    let (reference, layout0) = try ModelLoader.build(base)
    #expect(layout0 == .basicSR)
    let input = try ModelFixtures.npy("rrdb_x4.input.npy")
    let expected = reference.forward(input, progress: nil)
    for (dict, layout) in [(Self.to2019(base), KeyLayout.esrgan2019), (Self.to2018(base), .esrgan2018),
                           (Self.rename(base) { "module." + $0 }, .basicSR)] {
      let (net, detected) = try ModelLoader.build(dict)
      #expect(detected == layout)
      #expect(net.architecture == reference.architecture)
      #expect(net.stateDict().tensors == reference.stateDict().tensors)
      #expect(net.forward(input, progress: nil).data == expected.data)
    }
  }

  @Test func missingKeyIsNamed() throws {
    var d = try Self.basicSR()
    d.tensors["body.1.rdb2.conv3.bias"] = nil
    d.keys.removeAll { $0 == "body.1.rdb2.conv3.bias" }
    #expect(throws: ModelLoadError.missingKeys(["body.1.rdb2.conv3.bias"])) { try ModelLoader.build(d) }
    #expect(ModelLoadError.missingKeys(["body.1.rdb2.conv3.bias"]).description == "missing keys: body.1.rdb2.conv3.bias")
  }

  @Test func wrongShapeNamesKeyExpectedAndActual() throws {
    var d = try Self.basicSR()
    d["body.0.rdb1.conv2.weight"] = Tensor(shape: [4, 11, 3, 3])
    let error = ModelLoadError.shapeMismatch(key: "body.0.rdb1.conv2.weight", expected: [4, 12, 3, 3], actual: [4, 11, 3, 3])
    #expect(throws: error) { try ModelLoader.build(d) }
    #expect(error.description == "shape mismatch for 'body.0.rdb1.conv2.weight': expected [4, 12, 3, 3], got [4, 11, 3, 3]")
  }

  @Test func unexpectedKeyIsRejected() throws {
    var d = try Self.basicSR()
    d["body.0.rdb1.conv9.weight"] = Tensor(shape: [1])
    #expect(throws: ModelLoadError.unexpectedKeys(["body.0.rdb1.conv9.weight"])) { try ModelLoader.build(d) }
  }

  @Test func unknownArchitecture() throws {
    var d = StateDict()
    d["encoder.layer1.weight"] = Tensor(shape: [4, 3, 3, 3])
    let error = ModelLoadError.unknownArchitecture(closest: nil, sampleKeys: ["encoder.layer1.weight"])
    #expect(throws: error) { try ModelLoader.build(d) }
    #expect(error.description == "unknown architecture; first keys: encoder.layer1.weight")
  }
}
