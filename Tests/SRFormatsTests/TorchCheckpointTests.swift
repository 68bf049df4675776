import Foundation
import SRFormats
import SRTensor
import Testing

@Suite struct TorchCheckpointTests {
  /// (fixture, expected format, golden key list, wrapper metadata, stripped prefix)
  static let layouts: [(String, CheckpointFormat, String, String?, String?)] = [
    ("rrdb_basicsr_zip.pth", .torchZip, "basicsr_keys", "params_ema", nil),
    ("rrdb_esrgan2019_legacy.pth", .torchLegacy, "esrgan2019_keys_in_file", nil, "module."),
    ("rrdb_oldarch_zip.pth", .torchZip, "oldarch_keys", nil, nil),
    ("rrdb_basicsr.safetensors", .safetensors, "basicsr_keys", nil, nil),
  ]

  @Test(arguments: 0..<4)
  func everyLayoutLoadsTheSameWeights(_ index: Int) throws {
    let (name, format, keyField, wrapper, prefix) = Self.layouts[index]
    let (sniffed, dict) = try CheckpointReader.read(contentsOf: try FormatsFixtures.url(name).path)
    #expect(sniffed == format)
    var expectedKeys = try FormatsFixtures.keys(keyField)
    if let p = prefix { expectedKeys = expectedKeys.map { String($0.dropFirst(p.count)) } }
    #expect(dict.keys == expectedKeys)
    #expect(dict.metadata["torch.wrapper"] == wrapper)
    #expect(dict.metadata["torch.strippedPrefix"] == prefix)
    let summaries = try FormatsFixtures.summaries()
    #expect(summaries.count == 42)
    for (key, s) in zip(expectedKeys, summaries) { expectMatches(dict[key], s, key: key) }
  }

  /// Every EOCD / central-directory field saturated: only the ZIP64 records give the right offsets.
  @Test func zip64RecordsAndExtrasAreFollowed() throws {
    let bytes = try FormatsFixtures.bytes("tiny_zip64.pth")
    #expect(CheckpointSniffer.sniff(bytes) == .torchZip)
    let dict = try TorchCheckpoint.read(bytes)
    let keys = Array(try FormatsFixtures.keys("basicsr_keys").prefix(4))
    #expect(dict.keys == keys)
    for (key, s) in zip(keys, try FormatsFixtures.summaries()) { expectMatches(dict[key], s, key: key) }
  }

  @Test func paramsIsReadWhenPickedExplicitly() throws {
    let object = try TorchCheckpoint.readObject(try FormatsFixtures.bytes("rrdb_basicsr_zip.pth"))
    let params = try #require(object["params"])
    guard case .dict(let items) = params else { Issue.record("params is \(params.typeName)"); return }
    var total = 0.0
    for (_, v) in items {
      guard case .tensor(let t) = v else { Issue.record("non-tensor in params"); return }
      total += t.data.reduce(0.0) { $0 + Double($1) }
    }
    let golden = try #require(try FormatsFixtures.json("expected_pth.json")["params_sum"] as? Double)
    #expect(items.count == 42)
    #expect(abs(total - golden) <= 1e-9)
    #expect(abs(golden) > 0.1)  // params differs from params_ema (negated), so this cannot pass by accident
  }

  @Test func sharedStoragesOffsetsStridesViews() throws {
    let dict = try TorchCheckpoint.read(try FormatsFixtures.bytes("shared_storage_legacy.pth"))
    let golden = try #require(try FormatsFixtures.json("expected_pth.json")["shared"] as? [String: [String: Any]])
    #expect(Set(dict.keys) == Set(golden.keys))
    #expect(dict.keys == ["a.contiguous", "b.offset", "c.permuted", "d.transposed", "e.view", "f.half", "g.count"])
    for (key, g) in golden {
      let t = try #require(dict[key], "\(key)")
      #expect(t.shape == (g["shape"] as? [Int]), "\(key)")
      let values = try #require(g["values"] as? [Double])
      #expect(t.data == values.map { Float($0) }, "\(key)")  // exact: f32/f16/i64 values are Float-representable
    }
    #expect(dict["f.half"]?.data == [0.5, -1.25, 3.0, 65504.0, 6.103515625e-05, 0.0])
    #expect(dict["g.count"]?.data == [42])
  }

  @Test func sniffsByMagicBytes() throws {
    #expect(CheckpointSniffer.sniff(try FormatsFixtures.bytes("arrays.npz")) == .numpyZip)
    #expect(CheckpointSniffer.sniff(Array("7767517\n3 3\n".utf8)) == .ncnnParam)
    #expect(CheckpointSniffer.sniff([0x93] + Array("NUMPY".utf8) + [1, 0, 0, 0, 0]) == nil)
    #expect(CheckpointSniffer.sniff([1, 2, 3]) == nil)
  }

  @Test func readerRejectsNcnnWithHint() throws {
    let error = #expect(throws: CheckpointFileError.self) {
      try CheckpointReader.read(Array("7767517\n1 1\n".utf8), path: "x.param")
    }
    #expect(error?.description == "x.param: reading ncnnParam: ncnn .param files need the .param/.bin route (NCNN reader), not CheckpointReader")
  }
}
