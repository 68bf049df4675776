import SRTensor

/// An 8-bit RGB picture (row-major, 3 bytes per pixel): what encoders and the montage consume.
public struct RGBImage: Sendable, Equatable {
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int
  /// `width * height * 3` bytes, R G B per pixel.
  public var pixels: [UInt8]

  /// Creates a picture filled with one colour.
  public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
    self.width = max(0, width)
    self.height = max(0, height)
    var p = [UInt8](repeating: 0, count: self.width * self.height * 3)
    for i in stride(from: 0, to: p.count, by: 3) { p[i] = fill.0; p[i + 1] = fill.1; p[i + 2] = fill.2 }
    pixels = p
  }

  /// Creates a picture from raw bytes; `nil` if the count does not match.
  public init?(width: Int, height: Int, pixels: [UInt8]) {
    guard width >= 0, height >= 0, pixels.count == width * height * 3 else { return nil }
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// The colour at a pixel.
  public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
    get { let i = (y * width + x) * 3; return (pixels[i], pixels[i + 1], pixels[i + 2]) }
    set { let i = (y * width + x) * 3; pixels[i] = newValue.0; pixels[i + 1] = newValue.1; pixels[i + 2] = newValue.2 }
  }

  /// Copies `other` with its top-left at (x, y), clipped.
  public mutating func paste(_ other: RGBImage, x: Int, y: Int) {
    for sy in 0..<other.height where (0..<height).contains(y + sy) {
      for sx in 0..<other.width where (0..<width).contains(x + sx) { self[x + sx, y + sy] = other[sx, sy] }
    }
  }

  /// The rectangle at (x, y) of the given size (clipped to the picture).
  public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> RGBImage {
    let x0 = max(0, min(width, x)), y0 = max(0, min(height, y))
    let cw = max(0, min(width - x0, w)), chh = max(0, min(height - y0, h))
    var out = RGBImage(width: cw, height: chh)
    for row in 0..<chh {
      let src = ((y0 + row) * width + x0) * 3
      out.pixels.replaceSubrange((row * cw * 3)..<((row + 1) * cw * 3), with: pixels[src..<(src + cw * 3)])
    }
    return out
  }

  /// A `[3, H, W]` tensor with values in 0...1.
  public var tensor: Tensor {
    var t = Tensor(channels: 3, height: height, width: width)
    for y in 0..<height {
      for x in 0..<width {
        let p = self[x, y]
        t[0, y, x] = Float(p.0) / 255; t[1, y, x] = Float(p.1) / 255; t[2, y, x] = Float(p.2) / 255
      }
    }
    return t
  }

  /// Quantises a 0...1 value to a byte (round half up, clamped).
  @inlinable public static func byte(_ v: Float) -> UInt8 {
    guard v.isFinite else { return 0 }
    return UInt8(max(0, min(255, (v * 255 + 0.5).rounded(.down))))
  }
}
