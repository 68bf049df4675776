import SRTensor

/// HR → LR degradation for the benchmark protocol (SR-SPEC §3.5).
public enum Degrade {
  /// Keeps the top-left `H - H % multiple` by `W - W % multiple` of a CHW tensor.
  /// - Parameters:
  ///   - x: `[C, H, W]` tensor.
  ///   - multiple: the divisor (≥ 1).
  /// - Returns: `[C, H', W']` with H', W' multiples of `multiple` (possibly 0).
  public static func modcrop(_ x: Tensor, multiple: Int) -> Tensor {
    precondition(multiple >= 1, "Degrade.modcrop: multiple \(multiple) must be >= 1")
    precondition(x.rank == 3, "Degrade.modcrop: expected [C, H, W], got \(x.shapeDescription)")
    let c = x.channels, h = x.height, w = x.width
    let nh = h - h % multiple, nw = w - w % multiple
    if nh == h && nw == w { return x }
    var data = [Float]()
    data.reserveCapacity(c * nh * nw)
    for ch in 0..<c {
      for y in 0..<nh {
        let start = (ch * h + y) * w
        data.append(contentsOf: x.data[start..<start + nw])
      }
    }
    return Tensor(shape: [c, nh, nw], data: data)
  }

  /// Makes the bicubic LR image of an HR image as BasicSR's benchmark sets do.
  ///
  /// modcrop to a multiple of `scale`, MATLAB bicubic by 1/scale with antialiasing, clamp to
  /// [0, 1], quantise to 8 bit (round half up, `Quantize.toUInt8`) and divide by 255 again.
  /// The MATLAB script crops to a multiple of 12 so one HR serves ×2, ×3 and ×4 at once; we crop
  /// to a multiple of `scale` only (as BasicSR's `mod_crop` in validation), which removes the
  /// fewest pixels and still makes `LR * scale` equal the cropped HR size exactly.
  /// - Parameters:
  ///   - hr: `[C, H, W]` in [0, 1].
  ///   - scale: integer downscale factor (≥ 1).
  /// - Returns: `[C, H / scale, W / scale]` holding values `k / 255`.
  public static func makeLR(_ hr: Tensor, scale: Int) -> Tensor {
    precondition(scale >= 1, "Degrade.makeLR: scale \(scale) must be >= 1")
    let cropped = modcrop(hr, multiple: scale)
    precondition(cropped.height > 0 && cropped.width > 0,
                 "Degrade.makeLR: image \(hr.shapeDescription) is smaller than scale \(scale)")
    var lr = Resize.bicubic(cropped, scale: 1 / Double(scale))
    for i in lr.data.indices { lr.data[i] = Float(Quantize.toUInt8(lr.data[i])) / 255 }
    return lr
  }
}
