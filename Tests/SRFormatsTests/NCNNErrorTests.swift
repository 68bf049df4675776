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
    #expect(throws: NCNNError.io(path: "/nonexistent/x.param", reason: "cannot read file")) {
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
