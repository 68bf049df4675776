/// Why reading or decoding a JPEG failed.
public enum JPEGError: Error, CustomStringConvertible, Equatable {
  /// The data does not start with SOI followed by a marker (`FF D8 FF`).
  case notJPEG
  /// The data ended before the image (or its EOI marker) was complete.
  case truncated
  /// libjpeg rejected the data; carries its message (e.g. `Corrupt JPEG data: bad Huffman code`).
  case decodeFailed(String)
  /// The file could not be opened or read; carries the path and `strerror` text.
  case cannotOpen(path: String, reason: String)
  /// The image has more than `limit` pixels.
  case imageTooLarge(width: Int, height: Int, limit: Int)
  /// The header declares more 8x8 blocks than `bytes` bytes can code (at least one bit each).
  case implausibleSize(width: Int, height: Int, bytes: Int, minimum: Int)
  /// A colour space that is not read (CMYK, YCCK); carries its name.
  case unsupportedColorSpace(String)
  /// Memory for the pixels could not be allocated.
  case outOfMemory
  /// A decoding error in a named file (added by `JPEGCodec.read`).
  indirect case inFile(path: String, JPEGError)

  /// The error without any `inFile` wrapping.
  public var root: JPEGError {
    if case .inFile(_, let inner) = self { return inner.root }
    return self
  }

  /// One line saying what went wrong.
  public var description: String {
    switch self {
    case .notJPEG: return "not a JPEG file (does not start with FF D8 FF)"
    case .truncated: return "truncated JPEG data (premature end of file)"
    case .decodeFailed(let message): return "cannot decode JPEG: \(message)"
    case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
    case .imageTooLarge(let width, let height, let limit):
      return "image too large: \(width)x\(height) pixels (limit \(limit))"
    case .implausibleSize(let width, let height, let bytes, let minimum):
      return "JPEG header declares \(width)x\(height) pixels, which needs at least \(minimum) bytes;"
        + " the file has \(bytes)"
    case .unsupportedColorSpace(let name):
      return "unsupported JPEG colour space \(name) (only grayscale and YCbCr/RGB are read)"
    case .outOfMemory: return "out of memory while decoding JPEG"
    case .inFile(let path, let inner): return "\(path): \(inner)"
    }
  }
}
