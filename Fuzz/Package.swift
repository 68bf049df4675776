// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for every parser of untrusted bytes (issue 13). A separate package so the
// main one never sees fuzzer flags; it uses the main package's library products by path, as
// swift-protobuf's FuzzTesting/ does. Build (Linux):
//   swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// Run them all: Scripts/fuzz.sh [seconds]. Seeds: Corpus/<target>/.
let package = Package(
  name: "SRScopeFuzz",
  platforms: [.macOS(.v13)],
  dependencies: [.package(name: "SRScope", path: "..")],
  targets: [
    .target(name: "FuzzDriver"),
    .target(name: "FuzzSupport", dependencies: ["FuzzDriver"]),
    fuzzer("FuzzPNG", "SRImage"),
    fuzzer("FuzzJPEG", "SRImage"),
    fuzzer("FuzzSafetensors", "SRFormats"),
    fuzzer("FuzzTorchZip", "SRFormats"),
    fuzzer("FuzzTorchLegacy", "SRFormats"),
    fuzzer("FuzzPickle", "SRFormats"),
    fuzzer("FuzzNCNN", "SRFormats", "SRModels"),
    fuzzer("FuzzNumPy", "SRFormats"),
    fuzzer("FuzzManifest", "SRPipeline"),
    fuzzer("FuzzRecipe", "SRTrain"),
  ]
)

/// One executable per target: Sources/<name>/<name>.swift exports LLVMFuzzerTestOneInput and has an
/// `@main` that hands it to libFuzzer's driver (FuzzSupport).
func fuzzer(_ name: String, _ products: String...) -> Target {
  .executableTarget(name: name,
                    dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: "SRScope") })
}
