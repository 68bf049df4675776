import FuzzSupport
import SRFormats

/// safetensors bytes: header JSON, offsets, dtypes, `__metadata__`; what reads back is written again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  if let dict = try? Safetensors.read(bytes) { _ = try? Safetensors.write(dict) }
  return 0
}

@main enum FuzzSafetensors { static func main() { runLibFuzzer(fuzz) } }
