import Foundation
import Testing
@testable import SRFormats

/// One malformed-input case: a transform of the SRVGG fixture and the exact error expected.
struct NCNNErrorCase: Sendable, CustomTestStringConvertible {
  var id: String
  var param: @Sendable (String) -> String = { $0 }
  var bin: @Sendable ([UInt8]) -> [UInt8] = { $0 }
  var expected: NCNNError
  var testDescription: String { id }
}

@Suite struct NCNNErrorTests {
  // Fixture layout (ncnn_srvgg.param): line 5 Conv_body_0, line 11 Conv_body_6 (the last
  // conv, 12 outputs, bias = the file's final 48 bytes of 2440), line 12 DepthToSpace.
  static let cases: [NCNNErrorCase] = [
    .init(id: "bad magic", param: { "7767518" + $0.dropFirst(7) },
          expected: .badMagic(found: "7767518")),
    .init(id: "empty param", param: { _ in "" }, expected: .badMagic(found: "")),
    .init(id: "bad header", param: { $0.replacingOccurrences(of: "12 13\n", with: "12\n") },
          expected: .malformedHeader(line: 2, text: "12")),
    .init(id: "unknown layer", param: { $0.replacingOccurrences(of: "PixelShuffle ", with: "Shuffle ") },
          expected: .unknownLayer(type: "Shuffle", name: "DepthToSpace", line: 12)),
    .init(id: "ncnn layer SRScope does not run", param: { $0.replacingOccurrences(of: "PixelShuffle ", with: "Deconvolution ") },
          expected: .unknownLayer(type: "Deconvolution", name: "DepthToSpace", line: 12)),
    .init(id: "layer count", param: { $0.replacingOccurrences(of: "12 13\n", with: "13 13\n") },
          expected: .layerCountMismatch(declared: 13, found: 12)),
    .init(id: "blob count", param: { $0.replacingOccurrences(of: "12 13\n", with: "12 12\n") },
          expected: .blobCountMismatch(declared: 12, found: 13)),
    .init(id: "undefined blob", param: { $0.replacingOccurrences(of: "1 1 b6 b7", with: "1 1 b66 b7") },
          expected: .undefinedBlob(name: "b66", layer: "Conv_body_6", line: 11)),
    .init(id: "bad param", param: { $0.replacingOccurrences(of: "6=540", with: "6=5x0") },
          expected: .badParam(line: 11, layer: "Conv_body_6", token: "6=5x0")),
    .init(id: "array count", param: { $0.replacingOccurrences(of: "0=2\n", with: "0=2 -23301=2,1.0\n") },
          expected: .badParam(line: 12, layer: "DepthToSpace", token: "-23301=2,1.0")),
    .init(id: "too few blobs", param: { $0.replacingOccurrences(of: "2 1 b8 b9 output", with: "2 1 b8") },
          expected: .malformedLayer(line: 14, reason: "layer 'Add_out' declares 2 inputs and 1 outputs, found 1 names and params")),
    .init(id: "huge blob count", param: { $0.replacingOccurrences(of: "2 1 b8 b9 output", with: "9223372036854775807 1 b8 b9 output") },
          expected: .malformedLayer(line: 14, reason: "blob counts '9223372036854775807 1' are not valid")),
    .init(id: "huge param key", param: { $0.replacingOccurrences(of: "0=2\n", with: "-9223372036854775808=1\n") },
          expected: .badParam(line: 12, layer: "DepthToSpace", token: "-9223372036854775808=1")),
    .init(id: "huge kernel", param: { $0.replacingOccurrences(of: "0=12 1=3", with: "0=268435456 1=268435456") },
          expected: .invalidParam(key: 6, layer: "Conv_body_6", line: 11,
                                  reason: "= 540 is not a multiple of num_output×kh×kw = (overflow)")),
    .init(id: "weight size", param: { $0.replacingOccurrences(of: "6=540", with: "6=541") },
          expected: .invalidParam(key: 6, layer: "Conv_body_6", line: 11,
                                  reason: "= 541 is not a multiple of num_output×kh×kw = 108")),
    .init(id: "missing num_output", param: { $0.replacingOccurrences(of: "0=12 ", with: "") },
          expected: .invalidParam(key: 0, layer: "Conv_body_6", line: 11, reason: "is missing")),
    .init(id: "truncated bin", bin: { Array($0.dropLast(4)) },
          expected: .binTooShort(layer: "Conv_body_6", line: 11, offset: 2392, needed: 48, available: 44)),
    .init(id: "empty bin", bin: { _ in [] },
          expected: .binTooShort(layer: "Conv_body_0", line: 5, offset: 0, needed: 4, available: 0)),
    .init(id: "trailing bytes", bin: { $0 + [0, 0, 0, 0] },
          expected: .trailingBytes(count: 4, consumed: 2440)),
    .init(id: "int8 tag", bin: { [0x38, 0x4B, 0x0D, 0x00] + $0.dropFirst(4) },
          expected: .unsupportedWeightTag(tag: 0x000D_4B38, layer: "Conv_body_0", line: 5)),
  ]

  @Test(arguments: cases)
  func rejectsMalformedInput(_ c: NCNNErrorCase) throws {
    let param = c.param(try NCNNFixtures.text("ncnn_srvgg"))
    let bin = c.bin(try NCNNFixtures.bin("ncnn_srvgg"))
    #expect(throws: c.expected) { try NCNNModel.parse(param: param, bin: bin) }
  }

  /// Parameters SRScope does not run (checked when mapping, after a successful parse). Lines of the
  /// SRVGG fixture as above; `withTail` adds line 15, `Interp Resize_40` reading the x2 net's output.
  static let unsupported: [NCNNErrorCase] = [
    .init(id: "Interp type", param: { _ in tail("0=4 1=0.5 2=0.5") },
          expected: interp(0, "(resize_type) = 4 is not supported; SRScope runs 1 (nearest), 2 (bilinear), 3 (bicubic)")),
    .init(id: "Interp output size", param: { _ in tail("0=3 3=64 4=64") },
          expected: interp(3, "(output_height) = 64 is not supported; SRScope runs only the scale factors (params 1, 2)")),
    .init(id: "Interp dynamic size", param: { _ in tail("0=3 1=0.5 2=0.5 5=1") },
          expected: interp(5, "(dynamic_target_size) = 1 is not supported; SRScope runs 0 (one input)")),
    .init(id: "Interp align_corner 2", param: { _ in tail("0=3 1=0.5 2=0.5 6=2") },
          expected: interp(6, "(align_corner) = 2 is not supported; SRScope runs 0 and 1")),
    .init(id: "Interp unequal factors", param: { _ in tail("0=3 1=0.5 2=1.5") },
          expected: interp(2, "(width_scale) = 1.5 differs from param 1 (height_scale) = 0.5; SRScope runs only equal factors")),
    .init(id: "Interp zero factor", param: { _ in tail("0=3 1=0.0 2=0.0") },
          expected: interp(1, "(height_scale) = 0.0 is not a positive finite factor")),
    .init(id: "Interp fractional scale", param: { _ in tail("0=3 1=0.75 2=0.75") },
          expected: interp(1, "(height_scale) = 0.75 turns the network's x2 into x1.5; SRScope runs only whole overall scales")),
    .init(id: "Interp array param", param: { _ in tail("0=3 1=0.5 2=0.5 -23303=1,2.0") },
          expected: interp(3, "(array) is not a parameter SRScope runs for Interp")),
    .init(id: "conv dilation", param: { $0.replacingOccurrences(of: "0=5 1=3 4=1 5=1 6=135", with: "0=5 1=3 2=2 4=1 5=1 6=135") },
          expected: conv0(2, "(dilation_w) = 2 is not supported; SRScope runs 1")),
    .init(id: "conv stride_h", param: { $0.replacingOccurrences(of: "0=5 1=3 4=1 5=1 6=135", with: "0=5 1=3 4=1 5=1 6=135 13=2") },
          expected: conv0(13, "(stride_h) = 2 is not supported; SRScope runs 1")),
    .init(id: "conv asymmetric pad", param: { $0.replacingOccurrences(of: "0=5 1=3 4=1 5=1 6=135", with: "0=5 1=3 4=1 5=1 6=135 14=0") },
          expected: conv0(14, "(pad_top) = 0 differs from param 4 (pad_left) = 1; SRScope runs only equal values")),
    .init(id: "conv sigmoid", param: { $0.replacingOccurrences(of: "0=5 1=3 4=1 5=1 6=135", with: "0=5 1=3 4=1 5=1 6=135 9=4") },
          expected: conv0(9, "(activation_type) = 4 is not supported; SRScope runs 0 (none), 1 (ReLU), 2 (LeakyReLU)")),
    .init(id: "conv pad value", param: { $0.replacingOccurrences(of: "0=5 1=3 4=1 5=1 6=135", with: "0=5 1=3 4=1 5=1 6=135 18=1.0") },
          expected: conv0(18, "(pad_value) = 1.0 is not supported; SRScope pads with 0")),
    .init(id: "unknown PReLU param", param: { $0.replacingOccurrences(of: "b1 b2 0=5", with: "b1 b2 0=5 1=5") },
          expected: .unsupportedParam(type: "PReLU", layer: "PRelu_1", line: 6, key: 1,
                                      reason: "is not a parameter SRScope runs for PReLU")),
    .init(id: "BinaryOp with scalar", param: { $0.replacingOccurrences(of: "b8 b9 output", with: "b8 b9 output 1=1") },
          expected: .unsupportedParam(type: "BinaryOp", layer: "Add_out", line: 14, key: 1,
                                      reason: "(with_scalar) = 1 is not supported; SRScope runs 0 (two inputs)")),
    .init(id: "PixelShuffle mode", param: { $0.replacingOccurrences(of: "b7 b8 0=2", with: "b7 b8 0=2 1=1") },
          expected: .unsupportedParam(type: "PixelShuffle", layer: "DepthToSpace", line: 12, key: 1,
                                      reason: "(mode) = 1 is not supported; SRScope runs 0 (PyTorch channel order)")),
  ]

  static func tail(_ params: String) -> String {
    (try? NCNNFixtureTests.withTail(params)) ?? ""
  }

  static func interp(_ key: Int, _ reason: String) -> NCNNError {
    .unsupportedParam(type: "Interp", layer: "Resize_40", line: 15, key: key, reason: reason)
  }

  static func conv0(_ key: Int, _ reason: String) -> NCNNError {
    .unsupportedParam(type: "Convolution", layer: "Conv_body_0", line: 5, key: key, reason: reason)
  }

  @Test(arguments: unsupported)
  func rejectsWhatSRScopeDoesNotRun(_ c: NCNNErrorCase) throws {
    let param = c.param(try NCNNFixtures.text("ncnn_srvgg"))
    let graph = try NCNNModel.parse(param: param, bin: NCNNFixtures.bin("ncnn_srvgg"))
    #expect(throws: c.expected) { try NCNNModel.toStateDict(graph) }
  }

  @Test func unsupportedParamMessageIsOneLineNamingTypeLayerLineAndParam() {
    #expect(Self.interp(0, "(resize_type) = 4 is not supported; SRScope runs 1 (nearest), 2 (bilinear), 3 (bicubic)")
      .description == "ncnn param: line 15: Interp 'Resize_40': param 0 (resize_type) = 4 is not supported; "
      + "SRScope runs 1 (nearest), 2 (bilinear), 3 (bicubic)")
    #expect(NCNNError.unknownLayer(type: "Deconvolution", name: "deconv_1", line: 7).description
      == "ncnn param: line 7: layer 'deconv_1' has unknown type 'Deconvolution'")
  }

  @Test func messagesCarryLineAndLayer() {
    #expect(NCNNError.unknownLayer(type: "Shuffle", name: "DepthToSpace", line: 12).description
      == "ncnn param: line 12: layer 'DepthToSpace' has unknown type 'Shuffle'")
    #expect(NCNNError.binTooShort(layer: "Conv_body_6", line: 11, offset: 2392, needed: 48, available: 44)
      .description == "ncnn bin: layer 'Conv_body_6' (param line 11): needs 48 bytes at offset 2392, only 44 remain")
    #expect(NCNNError.unsupportedWeightTag(tag: 0xD4B38, layer: "c", line: 5).description
      == "ncnn bin: layer 'c' (param line 5): unsupported weight storage tag 0xD4B38; "
      + "only float32 (0x0) and float16 (0x1306B47) are supported")
  }

  @Test func missingFileIsAnIOError() {
    #expect(throws: NCNNError.io(path: "/nonexistent/x.param", reason: "No such file or directory")) {
      try NCNNModel.read(paramPath: "/nonexistent/x.param")
    }
  }

  @Test func rejectsRRDBNetWithWrongResidualScale() throws {
    let text = try NCNNFixtures.text("ncnn_rrdb_fp32")
      .replacingOccurrences(of: "b1_splitncnn_6 b32 0=1 -23301=2,2.000000e-01",
                            with: "b1_splitncnn_6 b32 0=1 -23301=2,3.000000e-01")
    let graph = try NCNNModel.parse(param: text, bin: NCNNFixtures.bin("ncnn_rrdb_fp32"))
    #expect(throws: NCNNError.unrecognizedGraph(
      "RRDBNet: Eltwise 'Add_rrdb_0' (line 47) is not SUM with coeffs [0.2, 1.0]")) {
      try NCNNModel.toStateDict(graph)
    }
  }

  @Test func rejectsSRVGGWithMismatchedUpsampling() throws {
    let text = try NCNNFixtures.text("ncnn_srvgg").replacingOccurrences(of: "0=1 1=2.000000e+00 2=2.000000e+00",
                                                                        with: "0=1 1=4.000000e+00 2=4.000000e+00")
    let graph = try NCNNModel.parse(param: text, bin: NCNNFixtures.bin("ncnn_srvgg"))
    #expect(throws: NCNNError.unrecognizedGraph(
      "SRVGGNetCompact: Interp 'Resize_up' (line 13) is type 1 ×(4.0, 4.0); expected nearest ×2.0")) {
      try NCNNModel.toStateDict(graph)
    }
  }

  @Test func rejectsGraphWithoutKnownStructure() throws {
    let text = "7767517\n2 2\nInput in 0 1 data\nSplit s 1 1 data output\n"
    #expect(throws: NCNNError.unrecognizedGraph(
      "no Eltwise/Concat (RRDBNet) and no PixelShuffle (SRVGGNetCompact)")) {
      try NCNNModel.toStateDict(NCNNModel.parse(param: text, bin: []))
    }
  }
}
