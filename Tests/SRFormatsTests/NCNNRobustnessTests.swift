import Foundation
import SRTestSupport
import Testing
@testable import SRFormats

/// Bad input must throw an `NCNNError`, never trap: every truncation of the `.bin`, and
/// seeded random edits of the `.param` text.
@Suite struct NCNNRobustnessTests {
  /// Prefixes of the SRVGG .bin fails with binTooShort (the file is consumed exactly,
  /// so no shorter prefix can be complete).
  @Test func everyBinTruncationIsBinTooShort() throws {
    let param = try NCNNFixtures.text("ncnn_srvgg")
    let bin = try NCNNFixtures.bin("ncnn_srvgg")
    var failures = 0
    for length in stride(from: 0, to: bin.count, by: 3) {  // step 3 still hits every residue mod 4
      do {
        _ = try NCNNModel.parse(param: param, bin: Array(bin[0..<length]))
        failures += 1
      } catch NCNNError.binTooShort(_, _, let offset, let needed, let available) {
        if offset + available != length || needed <= available { failures += 1 }
      }
    }
    #expect(failures == 0)
  }

  /// 400 seeded edits (replace, delete or duplicate a character) of the RRDB .param; each
  /// either still parses or throws NCNNError (any other error type fails the test).
  @Test func randomParamEditsThrowTypedErrors() throws {
    let text = Array(try NCNNFixtures.text("ncnn_rrdb_fp16").utf8)
    let bin = try NCNNFixtures.bin("ncnn_rrdb_fp16")
    let alphabet = Array("0123456789-=,.e \n9xX".utf8)
    var rng = SeededGenerator(seed: 42)
    var thrown = 0
    for _ in 0..<400 {
      var edited = text
      let i = Int.random(in: 0..<edited.count, using: &rng)
      switch Int.random(in: 0..<3, using: &rng) {
      case 0: edited[i] = alphabet.randomElement(using: &rng) ?? 0
      case 1: edited.remove(at: i)
      default: edited.insert(edited[i], at: i)
      }
      do {
        let graph = try NCNNModel.parse(param: String(decoding: edited, as: UTF8.self), bin: bin)
        _ = try? NCNNModel.toStateDict(graph)
      } catch is NCNNError {
        thrown += 1
      }
    }
    #expect(thrown > 40)  // most edits break something; the point is that none trapped
  }
}
