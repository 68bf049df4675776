/// The fixed "hot" colour scale used by error maps: black, red, yellow, white.
public enum Colormap {
  /// Maps `value / scaleMax` (clipped to 0...1) to RGB: r = 3t, g = 3t - 1, b = 3t - 2, each clipped.
  public static func hot(_ value: Float, scaleMax: Float) -> (UInt8, UInt8, UInt8) {
    let t = max(0, min(1, value.isFinite ? value / scaleMax : 0))
    return (RGBImage.byte(3 * t), RGBImage.byte(3 * t - 1), RGBImage.byte(3 * t - 2))
  }

  /// A horizontal legend bar `width` x `height` running from 0 to the scale maximum.
  public static func legendBar(width: Int, height: Int) -> RGBImage {
    var img = RGBImage(width: width, height: height)
    for x in 0..<width {
      let c = hot(Float(x) / Float(max(1, width - 1)), scaleMax: 1)
      for y in 0..<height { img[x, y] = c }
    }
    return img
  }
}
