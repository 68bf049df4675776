import Foundation
import SRImage
import SRTensor

/// SR outputs on disk, keyed by the model file's and the input image's content hashes, shared by
/// `srscope eval` and the viewer so a second run (or launch) reuses them.
///
/// Layout: `<root>/<model key>/<input sha256 prefix>.png`, 8-bit (the quantised output the metrics
/// are computed on, as BasicSR's `tensor2img`). The model key hashes the engine version with the
/// model file(s), so outputs of an older engine are never reused. Safe on a shared filesystem with
/// many writers: keys are content addresses (two writers of one key write the same pixels) and
/// every file appears by `rename` of a complete temporary file (`PNGCodec.write`); a file that
/// cannot be decoded is treated as missing and recomputed.
public struct OutputCache: Sendable {
  /// The cache folder.
  public var root: String

  /// `$SRSCOPE_CACHE`, else `<assets>/outputs` under `$SRSCOPE_ASSETS` or `~/.cache/srscope`.
  public init(root: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
    if let r = root ?? environment["SRSCOPE_CACHE"] {
      self.root = r
    } else {
      let assets = environment["SRSCOPE_ASSETS"] ?? (NSHomeDirectory() + "/.cache/srscope")
      self.root = assets + "/outputs"
    }
  }

  /// Changes whenever the engine's outputs may change (kernels, architectures, resize): part of
  /// every model key.
  public static let engineVersion = "srscope-engine-2"

  /// The content key of a model: the hash of the engine version and its file (and, for ncnn, of
  /// the `.bin` beside it).
  public static func modelKey(path: String) throws -> String {
    var bytes = Array(engineVersion.utf8) + [0] + (try InputFile.read(path))
    if path.hasSuffix(".param") {
      bytes += try InputFile.read(String(path.dropLast(".param".count)) + ".bin")
    }
    return String(SHA256.hex(bytes).prefix(24))
  }

  /// The content key of an input image: the hash of its float pixels.
  public static func imageKey(_ t: Tensor) -> String {
    let bytes = t.data.withUnsafeBytes { [UInt8]($0) } + t.shape.flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) }
    return String(SHA256.hex(bytes).prefix(24))
  }

  func path(model: String, image: String) -> String { "\(root)/\(model)/\(image).png" }

  /// The cached output, if present and readable.
  public func load(model: String, image: String) -> Tensor? {
    try? PNGCodec.read(contentsOf: path(model: model, image: image)).rgb
  }

  /// Stores an output (clamped and quantised to 8 bit by the PNG writer).
  public func store(_ output: Tensor, model: String, image: String) throws {
    try FileManager.default.createDirectory(atPath: "\(root)/\(model)", withIntermediateDirectories: true)
    try PNGCodec.write(Image(rgb: output), to: path(model: model, image: image), bitDepth: 8)
  }
}
