/// Crops, pastes and pads CHW tensors.
public enum TensorRegion {
  /// The `[C, height, width]` window at (y, x).
  public static func crop(_ t: Tensor, y: Int, x: Int, height: Int, width: Int) -> Tensor {
    var out = Tensor(channels: t.channels, height: height, width: width)
    for c in 0..<t.channels {
      for r in 0..<height {
        let src = (c * t.height + y + r) * t.width + x
        let dst = (c * height + r) * width
        out.data.replaceSubrange(dst..<dst + width, with: t.data[src..<src + width])
      }
    }
    return out
  }

  /// Writes `patch` into `target` at (y, x).
  public static func paste(_ patch: Tensor, into target: inout Tensor, y: Int, x: Int) {
    for c in 0..<patch.channels {
      for r in 0..<patch.height {
        let src = (c * patch.height + r) * patch.width
        let dst = (c * target.height + y + r) * target.width + x
        target.data.replaceSubrange(dst..<dst + patch.width, with: patch.data[src..<src + patch.width])
      }
    }
  }

  /// Pads bottom and right by mirror reflection without repeating the edge (reflect-101),
  /// falling back to edge replication when the image is smaller than the pad.
  public static func reflectPad(_ t: Tensor, bottom: Int, right: Int) -> Tensor {
    let h = t.height + bottom, w = t.width + right
    var out = Tensor(channels: t.channels, height: h, width: w)
    func mirror(_ i: Int, _ n: Int) -> Int {
      if i < n { return i }
      let m = 2 * (n - 1) - i
      return m >= 0 ? m : n - 1
    }
    for c in 0..<t.channels {
      for y in 0..<h {
        let sy = mirror(y, t.height)
        for x in 0..<w { out[c, y, x] = t[c, sy, mirror(x, t.width)] }
      }
    }
    return out
  }
}

extension Tensor {
  /// A tensor of the same shape with `transform` applied to every element.
  public func map(_ transform: (Float) -> Float) -> Tensor { Tensor(shape: shape, data: data.map(transform)) }

  /// Every element clamped to [0, 1] (network outputs before quantisation).
  public func clamped01() -> Tensor { map { min(1, max(0, $0)) } }
}
