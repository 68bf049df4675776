import Foundation
import SRImage
import SRTensor

/// Preloaded HR images with their bicubic LR (BasicSR style: LR of the whole modcropped image
/// made once with MATLAB bicubic), cropped into aligned LR/HR patch pairs with flips/rotations.
public struct PatchDataset: Sendable {
  /// One image pair: `hr` is exactly `scale` x `lr`.
  public struct Pair: Sendable { public var hr: Tensor; public var lr: Tensor }
  /// The loaded pairs, in sorted file order.
  public let pairs: [Pair]
  /// Upscaling factor.
  public let scale: Int

  /// Pairs from in-memory HR images (each modcropped to `scale`, LR by `Degrade.makeLR`).
  public init(hrImages: [Tensor], scale: Int, minLRSize: Int) throws(TrainError) {
    var pairs: [Pair] = []
    for (i, img) in hrImages.enumerated() {
      guard img.rank == 3, img.height / scale >= minLRSize, img.width / scale >= minLRSize else {
        throw .data("image \(i) of size \(img.shapeDescription) is smaller than the patch")
      }
      let hr = Degrade.modcrop(img, multiple: scale)
      pairs.append(Pair(hr: hr, lr: Degrade.makeLR(hr, scale: scale)))
    }
    guard !pairs.isEmpty else { throw .data("no training images") }
    self.pairs = pairs; self.scale = scale
  }

  /// Loads every PNG and JPEG (`ImageFile.hasImageExtension`) in `folders` (sorted by path).
  public init(folders: [String], scale: Int, minLRSize: Int) throws(TrainError) {
    var files: [String] = []
    for f in folders {
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: f) else {
        throw .data("cannot list folder \(f)")
      }
      files += names.filter(ImageFile.hasImageExtension).map { (f as NSString).appendingPathComponent($0) }
    }
    var images: [Tensor] = []
    for path in files.sorted() {
      do { images.append(try ImageFile.read(contentsOf: path).rgb) } catch {
        throw .data(error.description)  // names the path already
      }
    }
    guard !images.isEmpty else { throw .data("no .png/.jpg/.jpeg files in \(folders.joined(separator: ", "))") }
    try self.init(hrImages: images, scale: scale, minLRSize: minLRSize)
  }

  /// Samples a batch: random image, aligned crop, then hflip / vflip / transpose (each p = 0.5).
  public func batch(size: Int, hrPatch: Int, flips: Bool, rotations: Bool, rng: inout TrainRNG)
    -> (lr: FeatureBatch, hr: FeatureBatch) {
    let lp = hrPatch / scale
    var lrs: [Tensor] = [], hrs: [Tensor] = []
    for _ in 0..<size {
      let pair = pairs[rng.below(pairs.count)]
      let top = rng.below(pair.lr.height - lp + 1), left = rng.below(pair.lr.width - lp + 1)
      var l = Self.crop(pair.lr, top: top, left: left, size: lp)
      var h = Self.crop(pair.hr, top: top * scale, left: left * scale, size: hrPatch)
      let hflip = flips && rng.below(2) == 1, vflip = rotations && rng.below(2) == 1
      let rot = rotations && rng.below(2) == 1
      l = Self.augment(l, hflip: hflip, vflip: vflip, transpose: rot)
      h = Self.augment(h, hflip: hflip, vflip: vflip, transpose: rot)
      lrs.append(l); hrs.append(h)
    }
    return (FeatureBatch(stacking: lrs), FeatureBatch(stacking: hrs))
  }

  /// A square `size` crop at (top, left).
  static func crop(_ x: Tensor, top: Int, left: Int, size: Int) -> Tensor {
    var out = [Float](); out.reserveCapacity(x.channels * size * size)
    for c in 0..<x.channels {
      for y in top..<top + size {
        let base = (c * x.height + y) * x.width + left
        out.append(contentsOf: x.data[base..<base + size])
      }
    }
    return Tensor(shape: [x.channels, size, size], data: out)
  }

  /// BasicSR `augment`: horizontal flip, vertical flip, then transpose (rot90 with the flips) on a square patch.
  static func augment(_ x: Tensor, hflip: Bool, vflip: Bool, transpose: Bool) -> Tensor {
    if !hflip && !vflip && !transpose { return x }
    let s = x.height
    var out = x
    for c in 0..<x.channels {
      for y in 0..<s {
        for xx in 0..<s {
          var sy = y, sx = xx
          if transpose { swap(&sy, &sx) }
          if vflip { sy = s - 1 - sy }
          if hflip { sx = s - 1 - sx }
          out.data[(c * s + y) * s + xx] = x.data[(c * s + sy) * s + sx]
        }
      }
    }
    return out
  }
}
