import SRTensor

/// What a panel shows.
public enum PanelSource: Sendable, Hashable {
  /// The LR input, pixel-replicated to HR size.
  case lr
  /// The HR reference.
  case hr
  /// The SR output of a model.
  case model(Int)
  /// The output of the network interpolated between two models (the `<` / `>` panel).
  case interpolated(Interpolation)
}

/// Turns tensors into display pixels for one crop at one zoom (nearest neighbour, no smoothing).
public enum PanelPixels {
  /// Samples `tensor` (`[C, H, W]`, 0...1; C = 3, or 1 shown grey) over `crop`, where one tensor pixel
  /// covers `replicate` HR pixels (the LR scale, else 1), into a `size` picture at `zoom`.
  public static func picture(_ tensor: Tensor, replicate: Int, crop: CropRect, zoom: Zoom,
                             size: PixelSize) -> RGBImage {
    var img = RGBImage(width: size.width, height: size.height)
    guard tensor.rank == 3, tensor.channels >= 1 else { return img }
    let grey = tensor.channels < 3
    for y in 0..<size.height {
      let sy = (crop.y + y * zoom.down / zoom.up) / max(1, replicate)
      guard sy < tensor.height, sy >= 0 else { continue }
      for x in 0..<size.width {
        let sx = (crop.x + x * zoom.down / zoom.up) / max(1, replicate)
        guard sx < tensor.width, sx >= 0 else { continue }
        let r = tensor[0, sy, sx]
        img[x, y] = grey ? (RGBImage.byte(r), RGBImage.byte(r), RGBImage.byte(r))
          : (RGBImage.byte(r), RGBImage.byte(tensor[1, sy, sx]), RGBImage.byte(tensor[2, sy, sx]))
      }
    }
    return img
  }

  /// The per-pixel mean over channels of |a - b| (`b` LR-replicated by `replicateB` when needed),
  /// coloured with `Colormap.hot` on the fixed `scaleMax`. Computed from the float tensors.
  public static func difference(_ a: Tensor, _ b: Tensor, replicateA: Int = 1, crop: CropRect, zoom: Zoom,
                                size: PixelSize, scaleMax: Float) -> RGBImage {
    var img = RGBImage(width: size.width, height: size.height)
    guard a.rank == 3, b.rank == 3, a.channels == b.channels else { return img }
    let ra = max(1, replicateA)
    for y in 0..<size.height {
      let hy = crop.y + y * zoom.down / zoom.up
      guard hy >= 0, hy < b.height, hy / ra < a.height else { continue }
      for x in 0..<size.width {
        let hx = crop.x + x * zoom.down / zoom.up
        guard hx >= 0, hx < b.width, hx / ra < a.width else { continue }
        var sum: Float = 0
        for c in 0..<a.channels { sum += abs(a[c, hy / ra, hx / ra] - b[c, hy, hx]) }
        img[x, y] = Colormap.hot(sum / Float(a.channels), scaleMax: scaleMax)
      }
    }
    return img
  }

  /// A single-channel map (`[1, H, W]`, e.g. spatial LPIPS) coloured on the fixed `scaleMax`.
  public static func scalarMap(_ map: Tensor, crop: CropRect, zoom: Zoom, size: PixelSize,
                               scaleMax: Float) -> RGBImage {
    var img = RGBImage(width: size.width, height: size.height)
    guard map.rank == 3, map.channels >= 1 else { return img }
    for y in 0..<size.height {
      let hy = crop.y + y * zoom.down / zoom.up
      guard hy >= 0, hy < map.height else { continue }
      for x in 0..<size.width {
        let hx = crop.x + x * zoom.down / zoom.up
        guard hx >= 0, hx < map.width else { continue }
        img[x, y] = Colormap.hot(map[0, hy, hx], scaleMax: scaleMax)
      }
    }
    return img
  }
}
