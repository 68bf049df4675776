import SRTensor
/// Reading an input image whatever its format: PNG or JPEG, told apart by the file's first bytes.
///
/// This is the entry point for every image the project reads from a user (HR, LR, upscale input,
/// training photos). Files the project writes and reads back itself (the output cache) stay PNG
/// and use `PNGCodec` directly.
public enum ImageFile {
  /// The formats that `read(contentsOf:)` decodes.
  public enum Format: String, Sendable {
    case png = "PNG"
    case jpeg = "JPEG"
  }

  /// File-name extensions (lowercase, without the dot) of the images `read(contentsOf:)` reads.
  public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

  /// Whether `name` (a base name or a path) ends in `.png`, `.jpg` or `.jpeg`, in any case:
  /// the filter for folder listings. The contents decide the decoder, not the name.
  public static func hasImageExtension(_ name: String) -> Bool {
    guard let dot = name.lastIndex(of: "."), !name[dot...].contains("/") else { return false }
    return extensions.contains(name[name.index(after: dot)...].lowercased())
  }

  /// The format whose signature `bytes` starts with (a prefix of a signature counts, so that a
  /// cut-off file is reported as truncated by its decoder), or `nil`.
  public static func format(of bytes: [UInt8]) -> Format? {
    func starts(with signature: [UInt8]) -> Bool {
      !bytes.isEmpty && bytes.prefix(signature.count).elementsEqual(signature.prefix(bytes.count))
    }
    if starts(with: PNGCodec.signature) { return .png }
    if starts(with: JPEGCodec.signature) { return .jpeg }
    return nil
  }

  /// The width and height a PNG (IHDR) or JPEG (first SOF marker) declares, without decoding;
  /// nil when the header cannot be found. For checks against a budget before anything is decoded.
  public static func declaredSize(of bytes: [UInt8]) -> (width: Int, height: Int)? {
    func be16(_ i: Int) -> Int? { i + 1 < bytes.count ? Int(bytes[i]) << 8 | Int(bytes[i + 1]) : nil }
    func be32(_ i: Int) -> Int? { guard let hi = be16(i), let lo = be16(i + 2) else { return nil }; return hi << 16 | lo }
    switch format(of: bytes) {
    case .png?:
      guard bytes.count >= 24, let w = be32(16), let h = be32(20) else { return nil }
      return (w, h)
    case .jpeg?:
      var i = 2
      while i + 3 < bytes.count, bytes[i] == 0xFF {
        let marker = bytes[i + 1]
        guard let length = be16(i + 2), length >= 2 else { return nil }
        // SOF0...SOF15, except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
        if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
          guard let h = be16(i + 5), let w = be16(i + 7) else { return nil }
          return (w, h)
        }
        i += 2 + length
      }
      return nil
    case nil:
      return nil
    }
  }

  /// The declared size of the image file at `path` (reads the file, decodes nothing).
  public static func declaredSize(contentsOf path: String) throws(ImageFileError) -> (width: Int, height: Int)? {
    do { return declaredSize(of: try InputFile.read(path)) } catch { throw .cannotOpen(path: path, reason: error.reason) }
  }

  /// Reads the PNG or JPEG file at `path`, choosing the decoder from its first bytes.
  /// - Returns: the same `Image` either way: `rgb` `[3, H, W]` in [0, 1], gray replicated.
  /// - Throws: `ImageFileError`, whose description always starts with or contains `path`.
  public static func read(contentsOf path: String) throws(ImageFileError) -> Image {
    let bytes: [UInt8]
    do { bytes = try InputFile.read(path) } catch { throw .cannotOpen(path: path, reason: error.reason) }
    switch format(of: bytes) {
    case .png?:
      do { return try PNGCodec.decode(bytes) } catch { throw .png(path: path, error) }
    case .jpeg?:
      do { return try JPEGCodec.decode(bytes) } catch { throw .jpeg(path: path, error) }
    case nil:
      throw .notAnImage(path: path, size: bytes.count)
    }
  }
}

/// Why `ImageFile.read(contentsOf:)` failed; every case names the file.
public enum ImageFileError: Error, CustomStringConvertible, Equatable {
  /// The file could not be opened or read; carries the path and `strerror` text.
  case cannotOpen(path: String, reason: String)
  /// The file starts with neither the PNG signature nor a JPEG SOI marker; carries its size.
  case notAnImage(path: String, size: Int)
  /// The file looked like a PNG and the PNG decoder rejected it.
  case png(path: String, PNGError)
  /// The file looked like a JPEG and the JPEG decoder rejected it.
  case jpeg(path: String, JPEGError)

  /// One line saying what went wrong, starting with the path.
  public var description: String {
    switch self {
    case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
    case .notAnImage(let path, let size):
      return size == 0 ? "\(path): empty file, neither PNG nor JPEG"
        : "\(path): neither a PNG nor a JPEG file (no PNG signature or JPEG SOI marker at the start)"
    case .png(let path, let error): return "\(path): \(error)"
    case .jpeg(let path, let error): return "\(path): \(error)"
    }
  }
}
