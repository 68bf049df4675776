import FuzzSupport
import SRTrain

/// Training recipe YAML through the strict key schema, the decoder and the limits check.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  _ = try? Recipe.parse(text, path: "/fuzz/recipe.yml")
  return 0
}

@main enum FuzzRecipe { static func main() { runLibFuzzer(fuzz) } }
