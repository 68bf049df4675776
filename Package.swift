// swift-tools-version:6.1
import PackageDescription

// Module graph (dependencies point one way, no UI below the CLI):
//   SRTensor  -> CBLAS, CKernels, CDNNL(Conv)  tensors, ops, thread pool (CKernels: Winograd stages, heap
//                                           policy; CDNNLConv: oneDNN convolution passes over CDNNL)
//   SRFormats -> SRTensor                   checkpoint containers (safetensors, .pth, ncnn, npy/npz)
//   SRModels  -> SRTensor, SRFormats        architectures, detection, key layouts, loading
//   SRImage   -> SRTensor, CPNG, CJPEG      PNG I/O, JPEG input, MATLAB bicubic resize
//   SRMetrics -> SRImage, SRFormats         PSNR, SSIM, LPIPS, NIQE
//   SRConfig  -> Yams                       strict YAML (unknown keys rejected, one-line errors)
//   SRPipeline -> SRModels, SRImage, SRConfig  image-level inference, output cache, manifests
//   srscope   -> everything + ArgumentParser
let package = Package(
  name: "SRScope",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "srscope", targets: ["srscope"]),
    .library(name: "SRModels", targets: ["SRModels"]),
    // For the fuzz package in Fuzz/ (a separate package that depends on this one by path).
    .library(name: "SRImage", targets: ["SRImage"]),
    .library(name: "SRFormats", targets: ["SRFormats"]),
    .library(name: "SRPipeline", targets: ["SRPipeline"]),
    .library(name: "SRTrain", targets: ["SRTrain"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
    .systemLibrary(name: "CNCursesW", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
    .systemLibrary(name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),
    // oneDNN 2.6 (OpenMP runtime); Debian ships no .pc file for it, the module map links "dnnl".
    .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),

    .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
    .target(name: "CDNNLConv", dependencies: ["CDNNL"]),
    .target(name: "SRTensor", dependencies: ["CBLAS", "CKernels", "CDNNL", "CDNNLConv"], exclude: ["README.md"],
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-target-cpu", "haswell"])]),
    .target(name: "SRFormats", dependencies: ["SRTensor"], exclude: ["README.md"]),
    .target(name: "SRConfig", dependencies: [.product(name: "Yams", package: "Yams")]),
    .target(name: "SRModels", dependencies: ["SRTensor", "SRFormats"], exclude: ["README.md"]),
    .target(name: "SRImage", dependencies: ["SRTensor", "CPNG", "CJPEG"], exclude: ["README.md"]),
    .target(name: "SRViewer", dependencies: ["SRTensor", "SRImage", "CNCursesW", "CFreeType"], exclude: ["README.md"]),
    .target(name: "SRPipeline", dependencies: ["SRTensor", "SRModels", "SRImage", "SRMetrics", "SRConfig"], exclude: ["README.md"]),
    .target(name: "SRTrain", dependencies: ["SRTensor", "SRFormats", "SRModels", "SRImage", "SRMetrics", "SRConfig", .product(name: "Yams", package: "Yams")], exclude: ["README.md"]),
    .target(name: "SRMetrics", dependencies: ["SRTensor", "SRImage", "SRFormats"], exclude: ["README.md"]),
    .executableTarget(
      name: "srscope",
      dependencies: [
        "SRTensor", "SRFormats", "SRModels", "SRImage", "SRPipeline", "SRMetrics", "SRViewer", "SRTrain", "SRConfig",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    .target(name: "SRTestSupport", dependencies: ["SRTensor"], path: "Tests/SRTestSupport"),
    .testTarget(name: "SRTensorTests", dependencies: ["SRTensor", "SRTestSupport"]),
    .testTarget(name: "SRFormatsTests", dependencies: ["SRFormats", "SRTestSupport"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "SRModelsTests", dependencies: ["SRModels", "SRFormats", "SRImage", "SRTestSupport"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "SRViewerTests", dependencies: ["SRViewer", "SRTestSupport"]),
    .testTarget(name: "SRPipelineTests", dependencies: ["SRPipeline", "SRTensor", "SRConfig"]),
    .testTarget(name: "SRTrainTests", dependencies: ["SRTrain", "SRTestSupport"], resources: [.copy("Fixtures")]),
    .testTarget(name: "SRMetricsTests", dependencies: ["SRMetrics", "SRImage", "SRFormats", "SRTestSupport"], resources: [.copy("Fixtures")]),
    .testTarget(name: "SRImageTests", dependencies: ["SRImage", "SRTestSupport"],
                resources: [.copy("Fixtures")]),
  ]
)
