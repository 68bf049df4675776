import FuzzSupport
import SRImage

/// PNG bytes through libpng (the shim's size checks, interlacing, every colour type).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = try? PNGCodec.decode(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}

@main enum FuzzPNG { static func main() { runLibFuzzer(fuzz) } }
