import CSixel

/// Why a sixel encode failed.
public enum SixelError: Error, CustomStringConvertible, Equatable {
  /// libsixel returned a failure status.
  case libsixel(status: Int32, stage: String)
  /// The picture is empty or its byte count does not match its size.
  case badImage(width: Int, height: Int)

  /// One line for the status bar.
  public var description: String {
    switch self {
    case .libsixel(let status, let stage): return "sixel: libsixel failed at \(stage) (status 0x\(String(status, radix: 16)))"
    case .badImage(let w, let h): return "sixel: cannot encode a \(w)x\(h) picture"
    }
  }
}

/// Encodes RGB pictures as sixel DCS strings with libsixel (adaptive palette of up to 256 colours,
/// no dithering, because dither noise looks like GAN texture: TERMINAL.md §1.2).
public struct SixelEncoder: Sendable {
  /// Palette size, 2...256.
  public var colors: Int32

  /// Creates an encoder.
  public init(colors: Int32 = 256) { self.colors = max(2, min(256, colors)) }

  /// Returns the complete `ESC P q ... ESC \` byte string for `image`.
  /// - Throws: `SixelError` when the picture is empty or libsixel fails.
  public func encode(_ image: RGBImage) throws -> [UInt8] {
    guard image.width > 0, image.height > 0, image.pixels.count == image.width * image.height * 3 else {
      throw SixelError.badImage(width: image.width, height: image.height)
    }
    let sink = SixelSink()
    let priv = Unmanaged.passRetained(sink)
    defer { priv.release() }
    var output: OpaquePointer?
    var dither: OpaquePointer?
    defer {
      if let dither { sixel_dither_unref(dither) }
      if let output { sixel_output_unref(output) }
    }
    try check(sixel_output_new(&output, sixelWrite, priv.toOpaque(), nil), "output_new")
    try check(sixel_dither_new(&dither, colors, nil), "dither_new")
    var pixels = image.pixels
    try pixels.withUnsafeMutableBufferPointer { buf in
      try check(sixel_dither_initialize(dither, buf.baseAddress, Int32(image.width), Int32(image.height),
                                        Int32(SIXEL_PIXELFORMAT_RGB888), Int32(SIXEL_LARGE_AUTO),
                                        Int32(SIXEL_REP_AUTO), Int32(SIXEL_QUALITY_AUTO)), "dither_initialize")
      sixel_dither_set_diffusion_type(dither, Int32(SIXEL_DIFFUSE_NONE))
      try check(sixel_encode(buf.baseAddress, Int32(image.width), Int32(image.height), 3, dither, output), "encode")
    }
    return sink.bytes
  }

  private func check(_ status: SIXELSTATUS, _ stage: String) throws {
    if (status & 0x1000) != 0 { throw SixelError.libsixel(status: status, stage: stage) }
  }
}

/// Collects libsixel's output chunks.
final class SixelSink: @unchecked Sendable {
  var bytes: [UInt8] = []
}

/// The libsixel write callback: appends to the `SixelSink` passed as `priv` (captures nothing).
private let sixelWrite: sixel_write_function = { data, size, priv in
  guard let data, let priv, size > 0 else { return 0 }
  let sink = Unmanaged<SixelSink>.fromOpaque(priv).takeUnretainedValue()
  data.withMemoryRebound(to: UInt8.self, capacity: Int(size)) {
    sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(size)))
  }
  return size
}
