/// Why reading, decoding, encoding or writing a PNG failed.
public enum PNGError: Error, CustomStringConvertible, Equatable {
  /// The first 8 bytes are not the PNG signature.
  case notPNG
  /// The data ended before the image (or its IEND chunk) was complete.
  case truncated
  /// libpng rejected the data; carries libpng's message (e.g. `IHDR: CRC error`).
  case corrupt(String)
  /// The file could not be opened or read; carries the path and `strerror` text.
  case cannotOpen(path: String, reason: String)
  /// The output could not be written; carries the path and `strerror` text.
  case cannotWrite(path: String, reason: String)
  /// The image has more than `limit` pixels.
  case imageTooLarge(width: Int, height: Int, limit: Int)
  /// The header's dimensions need at least `minimum` bytes of compressed samples (deflate expands
  /// at most 1032 times); the whole input has only `bytes`.
  case implausibleSize(width: Int, height: Int, bytes: Int, minimum: Int)
  /// `encode` was asked for a bit depth other than 8 or 16.
  case unsupportedBitDepth(Int)
  /// libpng failed while encoding; carries its message.
  case encodeFailed(String)
  /// Memory for pixels or output could not be allocated.
  case outOfMemory
  /// A decoding error in a named file (added by `PNGCodec.read`).
  indirect case inFile(path: String, PNGError)

  /// The error without any `inFile` wrapping.
  public var root: PNGError {
    if case .inFile(_, let inner) = self { return inner.root }
    return self
  }

  /// One line saying what went wrong.
  public var description: String {
    switch self {
    case .notPNG: return "not a PNG file (bad signature)"
    case .truncated: return "truncated PNG data"
    case .corrupt(let message): return "corrupt PNG: \(message)"
    case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
    case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
    case .imageTooLarge(let width, let height, let limit):
      return "image too large: \(width)x\(height) pixels (limit \(limit))"
    case .implausibleSize(let width, let height, let bytes, let minimum):
      return "PNG header declares \(width)x\(height) pixels, which needs at least \(minimum) bytes;"
        + " the file has \(bytes)"
    case .unsupportedBitDepth(let depth):
      return "unsupported PNG output bit depth \(depth) (expected 8 or 16)"
    case .encodeFailed(let message): return "PNG encoding failed: \(message)"
    case .outOfMemory: return "out of memory while processing PNG"
    case .inFile(let path, let inner): return "\(path): \(inner)"
    }
  }
}
