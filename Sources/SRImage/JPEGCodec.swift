import CJPEG
import SRTensor

/// JPEG reading through libjpeg-turbo, with libjpeg's default decode (JDCT_ISLOW, fancy
/// upsampling), which is what Pillow and OpenCV give by default.
///
/// All libjpeg calls happen inside the C functions of `Sources/CJPEG/shim.h`, which own libjpeg's
/// error handling (see this module's README).
public enum JPEGCodec {
  /// The largest accepted `width * height`: the same as `PNGCodec.maxPixels`.
  public static var maxPixels: Int { PNGCodec.maxPixels }

  /// SOI (`FF D8`) followed by the first byte of the next marker.
  static let signature: [UInt8] = [0xFF, 0xD8, 0xFF]

  /// Reads and decodes the JPEG file at `path`.
  /// - Throws: `JPEGError.cannotOpen` if the file cannot be read; decoding errors wrapped as
  ///   `JPEGError.inFile(path:, error)`.
  public static func read(contentsOf path: String) throws(JPEGError) -> Image {
    let bytes: [UInt8]
    do { bytes = try InputFile.read(path) } catch { throw .cannotOpen(path: path, reason: error.reason) }
    do { return try decode(bytes) } catch { throw .inFile(path: path, error) }
  }

  /// Decodes an 8-bit baseline or progressive JPEG, grayscale or YCbCr (or Adobe RGB).
  /// - Returns: an `Image` whose `rgb` is `[3, H, W]` (gray replicated, `sourceColorType` `.gray`,
  ///   as for a gray PNG), no alpha, `sourceBitDepth` 8.
  /// - Throws: `.notJPEG`, `.truncated`, `.decodeFailed(message)`, `.imageTooLarge`,
  ///   `.implausibleSize`, `.unsupportedColorSpace`, `.outOfMemory`.
  public static func decode(_ bytes: [UInt8]) throws(JPEGError) -> Image {
    guard bytes.count >= signature.count else {
      throw !bytes.isEmpty && bytes.elementsEqual(signature.prefix(bytes.count)) ? .truncated : .notJPEG
    }
    guard bytes.prefix(signature.count).elementsEqual(signature) else { throw .notJPEG }
    var raw = srjpeg_image()
    let status = bytes.withUnsafeBufferPointer { buffer in
      srjpeg_decode(buffer.baseAddress, buffer.count, UInt64(maxPixels), &raw)
    }
    defer { srjpeg_free(&raw) }
    switch Int(status) {
    case Int(SRJPEG_OK): break
    case Int(SRJPEG_TRUNCATED): throw .truncated
    case Int(SRJPEG_TOO_LARGE):
      throw .imageTooLarge(width: Int(raw.width), height: Int(raw.height), limit: maxPixels)
    case Int(SRJPEG_IMPLAUSIBLE):
      throw .implausibleSize(width: Int(raw.width), height: Int(raw.height), bytes: bytes.count,
                             minimum: Int(raw.min_bytes))
    case Int(SRJPEG_UNSUPPORTED): throw .unsupportedColorSpace(colorSpaceName(raw.jpeg_color_space))
    case Int(SRJPEG_NO_MEMORY): throw .outOfMemory
    default: throw .decodeFailed(message(of: &raw))
    }
    return makeImage(raw)
  }

  /// libjpeg's message stored in a decode result.
  private static func message(of raw: inout srjpeg_image) -> String {
    withUnsafeBytes(of: &raw.message) { buffer in
      String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
  }

  /// The name of a `J_COLOR_SPACE` value that is refused.
  private static func colorSpaceName(_ code: Int32) -> String {
    code == Int32(JCS_YCCK.rawValue) ? "YCCK" : code == Int32(JCS_CMYK.rawValue) ? "CMYK" : "code \(code)"
  }

  /// Converts interleaved 8-bit gray or RGB samples into `[3, H, W]` planes scaled to [0, 1].
  private static func makeImage(_ raw: srjpeg_image) -> Image {
    let width = Int(raw.width), height = Int(raw.height), plane = width * height
    let channels = Int(raw.channels)
    var rgb = [Float](repeating: 0, count: 3 * plane)
    if let pixels = raw.pixels {
      if channels == 1 {
        for p in 0..<plane {
          let value = Float(pixels[p]) / 255
          rgb[p] = value; rgb[plane + p] = value; rgb[2 * plane + p] = value
        }
      } else {
        for p in 0..<plane {
          for c in 0..<3 { rgb[c * plane + p] = Float(pixels[3 * p + c]) / 255 }
        }
      }
    }
    return Image(rgb: Tensor(shape: [3, height, width], data: rgb),
                 sourceColorType: channels == 1 ? .gray : .rgb, sourceBitDepth: 8)
  }
}
