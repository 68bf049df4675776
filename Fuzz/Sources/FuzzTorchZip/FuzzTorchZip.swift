import FuzzSupport
import SRFormats

/// Any checkpoint bytes through the sniffing reader; the seeds are zip `.pth` files (ZIP64 too),
/// so this mostly exercises the zip directory, records, byteorder and storages.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = try? CheckpointReader.read(Array(UnsafeBufferPointer(start: data, count: size)), path: "fuzz.pth")
  return 0
}

@main enum FuzzTorchZip { static func main() { runLibFuzzer(fuzz) } }
