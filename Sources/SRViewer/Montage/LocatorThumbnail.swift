import SRTensor

/// The whole HR image reduced to fit a montage cell, with the crop outlined: where in the picture
/// the enlarged crops come from.
public enum LocatorThumbnail {
  /// Outline width in pixels.
  public static let thickness = 2
  /// Outline colours to choose from: the one farthest from the pixels it covers is used.
  static let candidates: [(UInt8, UInt8, UInt8)] = [(255, 0, 0), (255, 230, 0), (0, 255, 255), (0, 230, 0), (255, 0, 255)]

  /// An inclusive pixel rectangle in thumbnail coordinates.
  public struct Box: Sendable, Equatable {
    public var x0: Int, y0: Int, x1: Int, y1: Int
  }

  /// The thumbnail size: `image` scaled to fit `fit`, aspect kept (at least 1 x 1).
  public static func size(of image: PixelSize, fitting fit: PixelSize) -> PixelSize {
    let w = max(1, image.width), h = max(1, image.height)
    if w * fit.height >= h * fit.width { return PixelSize(width: fit.width, height: max(1, h * fit.width / w)) }
    return PixelSize(width: max(1, w * fit.height / h), height: fit.height)
  }

  /// The outline's outer edge: the crop mapped to the thumbnail (rounded outwards), grown by
  /// `thickness` so the ring lies just outside it, clamped to the thumbnail.
  public static func outline(crop: CropRect, image: PixelSize, thumbnail t: PixelSize) -> Box {
    let w = max(1, image.width), h = max(1, image.height)
    let x0 = crop.x * t.width / w, y0 = crop.y * t.height / h
    let x1 = max(x0, ((crop.x + crop.width) * t.width + w - 1) / w - 1)
    let y1 = max(y0, ((crop.y + crop.height) * t.height + h - 1) / h - 1)
    return Box(x0: max(0, x0 - thickness), y0: max(0, y0 - thickness),
               x1: min(t.width - 1, x1 + thickness), y1: min(t.height - 1, y1 + thickness))
  }

  /// `hr` (`[C, H, W]`, 0...1) reduced by area averaging to fit `fit`, the crop outlined.
  public static func render(_ hr: Tensor, crop: CropRect, fit: PixelSize) -> RGBImage {
    let full = PixelSize(width: hr.width, height: hr.height)
    let t = size(of: full, fitting: fit)
    var img = reduce(hr, to: t)
    let box = outline(crop: crop, image: full, thumbnail: t)
    let ring = ringPixels(box)
    let colour = candidates.max { distance($0, ring, img) < distance($1, ring, img) } ?? candidates[0]
    for (x, y) in ring { img[x, y] = colour }
    return img
  }

  /// The pixels of a `thickness`-wide ring whose outer edge is `box`.
  static func ringPixels(_ b: Box) -> [(Int, Int)] {
    var out: [(Int, Int)] = []
    for y in b.y0...b.y1 {
      for x in b.x0...b.x1 where x - b.x0 < thickness || b.x1 - x < thickness || y - b.y0 < thickness || b.y1 - y < thickness {
        out.append((x, y))
      }
    }
    return out
  }

  static func distance(_ c: (UInt8, UInt8, UInt8), _ ring: [(Int, Int)], _ img: RGBImage) -> Int {
    ring.reduce(0) { sum, p in
      let q = img[p.0, p.1]
      let d0 = Int(c.0) - Int(q.0), d1 = Int(c.1) - Int(q.1), d2 = Int(c.2) - Int(q.2)
      return sum + d0 * d0 + d1 * d1 + d2 * d2
    }
  }

  /// Area average over each output pixel's source rectangle (nearest when enlarging).
  static func reduce(_ t: Tensor, to size: PixelSize) -> RGBImage {
    var img = RGBImage(width: size.width, height: size.height)
    guard t.rank == 3, t.channels >= 1, t.width > 0, t.height > 0 else { return img }
    let channels = t.channels >= 3 ? [0, 1, 2] : [0, 0, 0]
    for y in 0..<size.height {
      let sy0 = y * t.height / size.height, sy1 = max(sy0 + 1, (y + 1) * t.height / size.height)
      for x in 0..<size.width {
        let sx0 = x * t.width / size.width, sx1 = max(sx0 + 1, (x + 1) * t.width / size.width)
        var sum: (Float, Float, Float) = (0, 0, 0)
        for sy in sy0..<sy1 {
          for sx in sx0..<sx1 {
            sum.0 += t[channels[0], sy, sx]; sum.1 += t[channels[1], sy, sx]; sum.2 += t[channels[2], sy, sx]
          }
        }
        let n = Float((sy1 - sy0) * (sx1 - sx0))
        img[x, y] = (RGBImage.byte(sum.0 / n), RGBImage.byte(sum.1 / n), RGBImage.byte(sum.2 / n))
      }
    }
    return img
  }
}
