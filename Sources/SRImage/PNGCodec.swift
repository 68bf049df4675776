import CPNG
import SRTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// PNG reading and writing through libpng, with sample values passed through unchanged.
///
/// All libpng calls happen inside the C functions of `Sources/CPNG/shim.h`, which own the
/// `setjmp` that libpng's error longjmp returns to (see this module's README).
public enum PNGCodec {
  /// The largest accepted `width * height`: 2^28 (≈ 268 M pixels, ~3.2 GB as float RGB), or fewer
  /// when the memory budget (`MemoryBudget.machineDefault`: 3/4 of the memory and address-space
  /// limit) cannot hold `budgetBytesPerPixel` for each: checked after IHDR, before any allocation.
  public static var maxPixels: Int { min(1 << 28, MemoryBudget.machineDefault / budgetBytesPerPixel) }

  /// Bytes a decoded pixel costs until it is used: the decoder's 16-bit RGBA rows (8), the float
  /// RGB and alpha planes (16) and one float copy downstream (12), rounded up.
  public static let budgetBytesPerPixel = 40

  /// The 8-byte PNG file signature.
  static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  /// Reads and decodes the PNG file at `path`.
  /// - Throws: `PNGError.cannotOpen` if the file cannot be read; decoding errors wrapped as
  ///   `PNGError.inFile(path:, error)`.
  public static func read(contentsOf path: String) throws -> Image {
    let bytes = try readFile(path)
    do {
      return try decode(bytes)
    } catch {
      throw PNGError.inFile(path: path, error)
    }
  }

  /// Decodes PNG bytes of any colour type and bit depth (interlaced too).
  /// - Returns: an `Image` whose `rgb` is `[3, H, W]` and `alpha` `[1, H, W]` when present.
  /// - Throws: `.notPNG`, `.truncated`, `.corrupt(message)`, `.imageTooLarge`, `.implausibleSize`,
  ///   `.outOfMemory`.
  public static func decode(_ bytes: [UInt8]) throws(PNGError) -> Image {
    guard bytes.count >= 8 else {
      throw !bytes.isEmpty && bytes.elementsEqual(signature.prefix(bytes.count)) ? PNGError.truncated : .notPNG
    }
    guard bytes.prefix(8).elementsEqual(signature) else { throw PNGError.notPNG }
    var raw = srpng_image()
    let status = bytes.withUnsafeBufferPointer { buffer in
      srpng_decode(buffer.baseAddress, buffer.count, UInt64(maxPixels), &raw)
    }
    defer { srpng_free(&raw) }
    switch Int(status) {
    case Int(SRPNG_OK): break
    case Int(SRPNG_TRUNCATED): throw PNGError.truncated
    case Int(SRPNG_TOO_LARGE):
      throw PNGError.imageTooLarge(width: Int(raw.width), height: Int(raw.height), limit: maxPixels)
    case Int(SRPNG_IMPLAUSIBLE):
      throw PNGError.implausibleSize(width: Int(raw.width), height: Int(raw.height), bytes: bytes.count,
                                     minimum: Int(raw.min_bytes))
    case Int(SRPNG_NO_MEMORY): throw PNGError.outOfMemory
    default: throw PNGError.corrupt(message(of: &raw))
    }
    return makeImage(raw)
  }

  /// libpng's message stored in a decode result.
  private static func message(of raw: inout srpng_image) -> String {
    withUnsafeBytes(of: &raw.message) { buffer in
      String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
  }

  /// Converts interleaved 8-bit or big-endian 16-bit samples into planes scaled to [0, 1].
  private static func makeImage(_ raw: srpng_image) -> Image {
    let width = Int(raw.width), height = Int(raw.height), plane = width * height
    let channels = Int(raw.channels), wide = raw.sample_bytes == 2
    let scale: Float = wide ? 65535 : 255
    var rgb = [Float](repeating: 0, count: 3 * plane)
    let hasAlpha = channels == 2 || channels == 4
    var alpha = [Float](repeating: 0, count: hasAlpha ? plane : 0)
    let colorCount = channels >= 3 ? 3 : 1
    if let pixels = raw.pixels {
      for p in 0..<plane {
        for c in 0..<channels {
          let i = p * channels + c
          let v = wide ? Int(pixels[2 * i]) << 8 | Int(pixels[2 * i + 1]) : Int(pixels[i])
          let value = Float(v) / scale
          if c < colorCount {
            if colorCount == 1 {
              rgb[p] = value; rgb[plane + p] = value; rgb[2 * plane + p] = value
            } else {
              rgb[c * plane + p] = value
            }
          } else {
            alpha[p] = value
          }
        }
      }
    }
    return Image(
      rgb: Tensor(shape: [3, height, width], data: rgb),
      alpha: hasAlpha ? Tensor(shape: [1, height, width], data: alpha) : nil,
      sourceColorType: colorType(raw.color_type), sourceBitDepth: Int(raw.bit_depth))
  }

  /// Maps an IHDR colour type number to `PNGColorType`.
  private static func colorType(_ code: Int32) -> PNGColorType {
    switch code {
    case 0: return .gray
    case 3: return .palette
    case 4: return .grayAlpha
    case 6: return .rgba
    default: return .rgb
    }
  }

  /// The whole contents of the file at `path`.
  private static func readFile(_ path: String) throws(PNGError) -> [UInt8] {
    do { return try InputFile.read(path) } catch { throw .cannotOpen(path: path, reason: error.reason) }
  }

  /// `strerror(errno)` as a String.
  static func errnoText() -> String {
    String(cString: strerror(errno))
  }
}
