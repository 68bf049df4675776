import Foundation
import SRFormats
import SRTensor
import Testing

/// Replaces the first occurrence of `pattern` in `bytes` (same length) — used to corrupt fixtures.
func patched(_ bytes: [UInt8], _ pattern: String, _ replacement: String) -> [UInt8] {
  let p = Array(pattern.utf8), r = Array(replacement.utf8)
  var out = bytes
  var i = 0
  while i + p.count <= out.count {
    if Array(out[i..<i + p.count]) == p { out.replaceSubrange(i..<i + p.count, with: r); i += p.count } else { i += 1 }
  }
  return out
}

@Suite struct TorchBadInputTests {
  enum Input { case fixture(String), truncated(String, Int), bytes([UInt8]), transform(String, @Sendable ([UInt8]) -> [UInt8]) }

  /// (id, input, exact one-line message from CheckpointReader with path "x4.pth")
  static let cases: [(String, Input, String)] = [
    ("os.system in zip", .fixture("evil_os_system.pth"), "x4.pth: reading pickle: forbidden global 'os.system'"),
    ("builtins.eval in legacy", .fixture("evil_builtins_eval.pth"), "x4.pth: reading pickle: forbidden global 'builtins.eval'"),
    ("truncated zip", .truncated("rrdb_basicsr_zip.pth", 20000),
     "x4.pth: reading zip: zip: end of central directory record not found (file truncated or not a zip)"),
    ("torchscript", .fixture("torchscript_like.pt"),
     "x4.pth: reading zip: this is a TorchScript archive (constants.pkl), not a state dict; save model.state_dict() instead"),
    ("truncated legacy pickle", .truncated("rrdb_esrgan2019_legacy.pth", 500),
     "x4.pth: reading pickle: pickle truncated at offset 500"),  // pickletools: BINUNICODE ends at 500
    ("truncated legacy storages", .truncated("rrdb_esrgan2019_legacy.pth", 20000),
     "x4.pth: reading storages: storage '140230038' truncated at offset 19530"),  // its data starts at 19530
    ("missing storage record", .transform("rrdb_oldarch_zip.pth", { patched($0, "zip/data/0FB", "zip/data/QFB") }),
     "x4.pth: reading zip: missing record 'rrdb_oldarch_zip/data/0' in the zip checkpoint"),
    ("compressed data.pkl", .transform("rrdb_oldarch_zip.pth", { compressFirstCentralEntry($0) }),
     "x4.pth: reading zip: record 'rrdb_oldarch_zip/data.pkl' is compressed (method 8); torch stores records uncompressed, re-save with torch.save"),
    ("unsupported storage", .transform("shared_storage_legacy.pth", { patched($0, "HalfStorage", "ChalStorage") }),
     "x4.pth: reading pickle: forbidden global 'torch.ChalStorage'"),
    ("stride 2^63-1", .fixture("huge_stride_bad_zip.pth"),
     "x4.pth: reading storages: storage '0' needs 9223372036854775807 elements but has 4"),
  ]

  /// A stride of 2^63-1 on a dimension of size 1 is never stepped along: the tensor loads.
  @Test func hugeStrideOnASizeOneDimensionLoads() throws {
    let dict = try CheckpointReader.read(try FormatsFixtures.bytes("huge_stride_ok_zip.pth"), path: "x4.pth").dict
    #expect(dict.tensors["ok"]?.shape == [1, 4])
    #expect(dict.tensors["ok"]?.data == [1, 2, 3, 4])
  }

  static func compressFirstCentralEntry(_ b: [UInt8]) -> [UInt8] {
    var out = b
    for i in 0..<(b.count - 4) where b[i] == 0x50 && b[i + 1] == 0x4B && b[i + 2] == 1 && b[i + 3] == 2 {
      out[i + 10] = 8
      return out
    }
    return out
  }

  static func bytes(_ input: Input) throws -> [UInt8] {
    switch input {
    case .fixture(let n): try FormatsFixtures.bytes(n)
    case .truncated(let n, let k): Array(try FormatsFixtures.bytes(n).prefix(k))
    case .bytes(let b): b
    case .transform(let n, let f): f(try FormatsFixtures.bytes(n))
    }
  }

  @Test(arguments: 0..<cases.count)
  func badCheckpointThrowsExactMessage(_ i: Int) throws {
    let (id, input, message) = Self.cases[i]
    let data = try Self.bytes(input)
    let error = #expect(throws: CheckpointFileError.self, "\(id)") { try CheckpointReader.read(data, path: "x4.pth") }
    #expect(error?.description == message, "\(id)")
  }

  @Test func typedCasesForForbiddenGlobals() throws {
    #expect(throws: TorchCheckpointError.forbiddenGlobal(module: "os", name: "system")) {
      try TorchCheckpoint.read(try FormatsFixtures.bytes("evil_os_system.pth"))
    }
    #expect(throws: TorchCheckpointError.forbiddenGlobal(module: "builtins", name: "eval")) {
      try TorchCheckpoint.read(try FormatsFixtures.bytes("evil_builtins_eval.pth"))
    }
    #expect(throws: TorchCheckpointError.torchScriptArchive) {
      try TorchCheckpoint.read(try FormatsFixtures.bytes("torchscript_like.pt"))
    }
    #expect(throws: TorchCheckpointError.unrecognizedContainer) { try TorchCheckpoint.read([1, 2, 3]) }
  }

  /// Raw pickles exercising the opcode subset and its failure modes.
  @Test func pickleOpcodesAndErrors() throws {
    // {'a': [1, -2, 3.5, True, None, b'xy', (), 'é' as BINSTRING latin-1, 2**70]}
    let p: [UInt8] = [0x80, 2, 0x7D, 0x71, 0, 0x58, 1, 0, 0, 0, 0x61, 0x5D, 0x28, 0x4B, 1, 0x4A, 0xFE, 0xFF, 0xFF, 0xFF,
      0x47, 0x40, 0x0C, 0, 0, 0, 0, 0, 0, 0x88, 0x4E, 0x43, 2, 0x78, 0x79, 0x29, 0x55, 1, 0xE9,
      0x8A, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x65, 0x73, 0x2E]
    let v = try Pickle.load(p)
    let list = try #require(v["a"]?.sequence)
    #expect(list.count == 9)
    #expect(list[0].intValue == 1 && list[1].intValue == -2)
    if case .float(let f) = list[2] { #expect(f == 3.5) } else { Issue.record("not float") }
    #expect(list[3].intValue == 1)
    if case .bytes(let b) = list[5] { #expect(b == [0x78, 0x79]) } else { Issue.record("not bytes") }
    #expect(list[7].stringValue == "é")
    if case .bigInt(let b) = list[8] { #expect(b.count == 9 && b[8] == 0x40) } else { Issue.record("not bigint") }

    #expect(throws: TorchCheckpointError.unsupportedPickleOpcode(byte: 0x49, offset: 2)) { try Pickle.load([0x80, 2, 0x49, 0x31, 0x0A, 0x2E]) }
    #expect(throws: TorchCheckpointError.invalidPickle(reason: "stack underflow", offset: 2)) { try Pickle.load([0x80, 2, 0x73, 0x2E]) }
    #expect(throws: TorchCheckpointError.truncated(what: "pickle", offset: 3)) { try Pickle.load([0x80, 2, 0x58, 0xFF, 0xFF]) }
    // A list that contains itself must not hang or recurse forever.
    let cyclic: [UInt8] = [0x80, 2, 0x5D, 0x71, 0, 0x68, 0, 0x61, 0x2E]
    #expect(throws: TorchCheckpointError.self) { try Pickle.load(cyclic) }
  }

  @Test func everyPrefixOfEveryFixtureThrowsWithoutTrapping() throws {
    for name in ["rrdb_basicsr_zip.pth", "rrdb_esrgan2019_legacy.pth", "shared_storage_legacy.pth"] {
      let good = try FormatsFixtures.bytes(name)
      for cut in stride(from: 0, to: good.count, by: 61) {
        #expect(throws: (any Error).self, "\(name) cut at \(cut)") { try TorchCheckpoint.read(Array(good.prefix(cut))) }
      }
    }
  }
}
