import FuzzSupport
import SRPipeline

/// Manifest YAML (or JSON) through the strict key schema, the decoder, the scale check and the
/// path resolution.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  _ = try? Manifest.parse(text: text, path: "/fuzz/ablations.yml", environment: ["SRSCOPE_ASSETS": "/assets"])
  return 0
}

@main enum FuzzManifest { static func main() { runLibFuzzer(fuzz) } }
