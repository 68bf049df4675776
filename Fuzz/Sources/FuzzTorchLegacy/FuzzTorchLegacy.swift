import FuzzSupport
import SRFormats

/// Legacy (pre-1.6) `.pth` bytes: the magic/protocol/sys-info pickles, the storage keys pickle and
/// the raw storages after them. Inputs get the legacy magic pickle prepended when they lack it, so
/// the fuzzer spends its time past the sniffing.
/// Pickle protocol 2, then the long magic number 0x1950a86a20f9469cfc6c (SR-SPEC §2.1).
let legacyMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  var bytes = Array(UnsafeBufferPointer(start: data, count: size))
  if !bytes.starts(with: legacyMagic) { bytes = legacyMagic + bytes }
  _ = try? TorchCheckpoint.read(bytes)
  return 0
}

@main enum FuzzTorchLegacy { static func main() { runLibFuzzer(fuzz) } }
