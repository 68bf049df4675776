import FuzzSupport
import SRFormats

/// `.npy` headers and data of every dtype and order, and `.npz` archives of them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  _ = try? NumPy.readNPY(bytes)
  _ = try? NumPy.readNPZ(bytes)
  return 0
}

@main enum FuzzNumPy { static func main() { runLibFuzzer(fuzz) } }
