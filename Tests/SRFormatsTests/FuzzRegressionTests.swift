import Foundation
import Testing

@testable import SRFormats

/// Inputs found by the libFuzzer targets in `Fuzz/` (minimised), each with its exact message.
@Suite struct FuzzRegressionTests {
  /// An `.npy` header with `(header)` padded to a 64-byte multiple, then `data`.
  static func npy(_ header: String, data: [UInt8] = []) -> [UInt8] {
    var h = Array(header.utf8)
    while (10 + h.count + 1) % 64 != 0 { h.append(0x20) }
    h.append(0x0A)
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.count), 0] + h + data
  }

  /// FuzzNumPy: 4 · 555555555555555 · 555 elements fit in Int, their 8-byte size does not; the
  /// truncation message computed `count * 8` and trapped.
  @Test func npyByteSizeOverflowIsAnErrorNamingTheShape() throws {
    let bytes = Self.npy("{'descr': '<f8', 'fortran_order': True, 'shape': (4, 1, 555555555555555, 555), }")
    let error = #expect(throws: NumPyError.self) { try NumPy.readNPY(bytes) }
    #expect(error?.description == "npy: invalid header: shape [4, 1, 555555555555555, 555] overflows")
  }

  /// FuzzPickle (LeakSanitizer): a list reachable from itself through the memo was never freed,
  /// because the unpickler's boxes are reference counted. Now every box is emptied after a load.
  @Test func cyclicPickleThrowsAndFreesItsContainers() throws {
    // [[1, 2, {'s': <the inner list>}]]: the inner list holds a dict that holds the list.
    let cyclic: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0x00, 0x28, 0x5D, 0x71, 0x01, 0x28, 0x4B, 0x01, 0x4B, 0x02,
                           0x7D, 0x71, 0x02, 0x58, 0x01, 0x00, 0x00, 0x00, 0x73, 0x71, 0x03, 0x68, 0x01, 0x73,
                           0x65, 0x2E]
    let error = #expect(throws: TorchCheckpointError.self) { try Pickle.load(cyclic) }
    #expect(error?.description == "invalid pickle at offset 29: object nesting too deep, cyclic or too large")

    weak var inner: ListBox?
    weak var dict: DictBox?
    do {
      var m = Unpickler(r: ByteReader(cyclic, offset: 0), persistentLoad: nil)
      m.budget = 1000
      _ = try? m.run()
      #expect(m.lists.count == 2 && m.dicts.count == 1)
      inner = m.lists.last
      dict = m.dicts.first
      m.breakCycles()
    }
    #expect(inner == nil && dict == nil)
  }
}
