import FuzzSupport
import SRImage

/// JPEG bytes through libjpeg-turbo (the shim's size and plausibility checks, warnings as errors).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = try? JPEGCodec.decode(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}

@main enum FuzzJPEG { static func main() { runLibFuzzer(fuzz) } }
