import CPNG
import SRTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PNGCodec {
  /// Encodes an image as an 8- or 16-bit, non-interlaced PNG.
  ///
  /// Samples are clamped to [0, 1] and quantised with `Quantize` (round half up). Written as gray
  /// when `asGray` (default: `image.isGray`) is true: the gray level is the R channel when all
  /// three channels are equal, otherwise the plain mean (R + G + B) / 3, *not* BT.601 luma, so a
  /// gray image that went through colour processing stays the same gray. Alpha is written when
  /// `image.alpha` is present.
  /// - Throws: `.unsupportedBitDepth` unless `bitDepth` is 8 or 16; `.imageTooLarge` beyond
  ///   `maxPixels` or for an empty image; `.encodeFailed`, `.outOfMemory` from libpng.
  public static func encode(_ image: Image, bitDepth: Int = 8, asGray: Bool? = nil) throws
    -> [UInt8]
  {
    guard bitDepth == 8 || bitDepth == 16 else { throw PNGError.unsupportedBitDepth(bitDepth) }
    let width = image.rgb.width, height = image.rgb.height
    guard width > 0, height > 0, width * height <= maxPixels else {
      throw PNGError.imageTooLarge(width: width, height: height, limit: maxPixels)
    }
    let gray = asGray ?? image.isGray
    let planes = samplePlanes(image, gray: gray)
    let samples = interleave(planes, count: width * height, bitDepth: bitDepth)
    let colorType: Int32 =
      gray ? (planes.count == 2 ? PNG_COLOR_TYPE_GRAY_ALPHA : PNG_COLOR_TYPE_GRAY)
      : (planes.count == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB)
    var out = srpng_buffer()
    var message = [CChar](repeating: 0, count: 256)
    let status = samples.withUnsafeBufferPointer { pixels in
      message.withUnsafeMutableBufferPointer { text in
        srpng_encode(pixels.baseAddress, UInt32(width), UInt32(height), colorType,
                     Int32(bitDepth), &out, text.baseAddress)
      }
    }
    defer { free(out.data) }
    switch Int(status) {
    case Int(SRPNG_OK): break
    case Int(SRPNG_NO_MEMORY): throw PNGError.outOfMemory
    default:
      let text = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
      throw PNGError.encodeFailed(String(decoding: text, as: UTF8.self))
    }
    guard let data = out.data else { throw PNGError.outOfMemory }
    return Array(UnsafeBufferPointer(start: data, count: out.size))
  }

  /// Encodes and writes a PNG atomically: a temporary file in the same folder, then `rename`.
  ///
  /// On any failure the temporary file is removed, so `path` is either untouched or complete.
  /// - Throws: `encode`'s errors, or `.cannotWrite(path:, reason:)` with the `strerror` text.
  public static func write(_ image: Image, to path: String, bitDepth: Int = 8,
                           asGray: Bool? = nil) throws {
    let bytes = try encode(image, bitDepth: bitDepth, asGray: asGray)
    let temp = temporaryPath(for: path)
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw PNGError.cannotWrite(path: path, reason: errnoText()) }
    var failure = writeAll(fd, bytes)
    if close(fd) != 0 && failure == nil { failure = errnoText() }
    if failure == nil && rename(temp, path) != 0 { failure = errnoText() }
    if let failure {
      unlink(temp)
      throw PNGError.cannotWrite(path: path, reason: failure)
    }
  }

  /// Writes every byte to `fd`, retrying short writes; returns the `strerror` text on failure.
  private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBytes { buffer -> String? in
      guard let base = buffer.baseAddress else { return nil }
      var offset = 0
      while offset < buffer.count {
        let n = posixWrite(fd, base + offset, buffer.count - offset)
        if n > 0 {
          offset += n
        } else if n < 0 && errno == EINTR {
          continue
        } else {
          return n == 0 ? "short write" : errnoText()
        }
      }
      return nil
    }
  }

  /// `<dir>/.<name>.<pid>.<random>.tmp`, beside `path` so that `rename` stays on one filesystem.
  private static func temporaryPath(for path: String) -> String {
    let slash = path.lastIndex(of: "/")
    let dir = slash.map { String(path[...$0]) } ?? ""
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    return "\(dir).\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
  }

  /// The planes to write, in PNG channel order: [Y] or [R, G, B], then alpha if present.
  private static func samplePlanes(_ image: Image, gray: Bool) -> [ArraySlice<Float>] {
    let n = image.width * image.height
    let d = image.rgb.data
    let r = d[0..<n], g = d[n..<2 * n], b = d[2 * n..<3 * n]
    var planes: [ArraySlice<Float>]
    if !gray {
      planes = [r, g, b]
    } else if r.elementsEqual(g) && r.elementsEqual(b) {
      planes = [r]
    } else {
      let mean = (0..<n).map { i in (d[i] + d[n + i] + d[2 * n + i]) / 3 }
      planes = [mean[...]]
    }
    if let alpha = image.alpha { planes.append(alpha.data[...]) }
    return planes
  }

  /// Interleaves planes pixel by pixel as 8-bit or big-endian 16-bit samples.
  private static func interleave(_ planes: [ArraySlice<Float>], count: Int, bitDepth: Int)
    -> [UInt8]
  {
    let channels = planes.count, bytesPer = bitDepth / 8
    var out = [UInt8](repeating: 0, count: count * channels * bytesPer)
    for (c, plane) in planes.enumerated() {
      let base = plane.startIndex
      for p in 0..<count {
        let i = (p * channels + c) * bytesPer
        if bytesPer == 1 {
          out[i] = Quantize.toUInt8(plane[base + p])
        } else {
          let v = Quantize.toUInt16(plane[base + p])
          out[i] = UInt8(v >> 8); out[i + 1] = UInt8(v & 0xFF)
        }
      }
    }
    return out
  }
}
