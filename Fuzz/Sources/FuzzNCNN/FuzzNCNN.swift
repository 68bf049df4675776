import FuzzSupport
import SRFormats
import SRModels

/// An ncnn model as one input: the `.param` text, a zero byte, then the `.bin` bytes (no zero byte:
/// all of it is the text and the `.bin` is empty). A parsed graph is converted to a state dict and
/// built as ModelLoader does; the fuzz inputs are small, so the networks are too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeBufferPointer(start: data, count: size)
  let split = bytes.firstIndex(of: 0) ?? size
  let param = String(decoding: bytes[..<split], as: UTF8.self)
  let bin = split < size ? Array(bytes[(split + 1)...]) : []
  guard let graph = try? NCNNModel.parse(param: param, bin: bin),
        let dict = try? NCNNModel.toStateDict(graph) else { return 0 }
  _ = try? ArchitectureRegistry.build(dict)
  return 0
}

@main enum FuzzNCNN { static func main() { runLibFuzzer(fuzz) } }
