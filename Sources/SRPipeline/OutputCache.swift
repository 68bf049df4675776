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
  /// the `.bin` beside it). Remembered per file under `<root>/model-keys`, keyed by path, size,
  /// modification time and inode, so an unchanged 64 MB checkpoint is not hashed at every launch.
  public static func modelKey(path: String) throws -> String {
    let files = modelFiles(path: path)
    let stamp = files.map(fileStamp).joined(separator: ";")
    let memo = OutputCache().root + "/model-keys/" + SHA256.hex(Array((engineVersion + "|" + path).utf8)).prefix(32)
    if let saved = try? InputFile.readText(memo, maxBytes: 4096), saved.hasPrefix(stamp + " "), !stamp.isEmpty {
      return String(saved.dropFirst(stamp.count + 1))
    }
    var h = SHA256.Hasher()
    h.update(engineVersion + "\u{0}")
    for file in files { try InputFile.read(file).withUnsafeBytes { h.update($0) } }
    let key = String(h.hexDigest().prefix(24))
    if !stamp.isEmpty {
      try? FileManager.default.createDirectory(atPath: (memo as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try? AtomicFile.write(Array((stamp + " " + key).utf8), to: memo)
    }
    return key
  }

  /// The files a model consists of: the checkpoint, or an ncnn `.param` and the `.bin` beside it.
  public static func modelFiles(path: String) -> [String] {
    path.hasSuffix(".param") ? [path, String(path.dropLast(".param".count)) + ".bin"] : [path]
  }

  /// `size:mtime-ns:inode` of a file, or "" when it cannot be stat'ed.
  static func fileStamp(_ path: String) -> String {
    var st = stat()
    guard stat(path, &st) == 0 else { return "" }
    return "\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec):\(st.st_ino)"
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
