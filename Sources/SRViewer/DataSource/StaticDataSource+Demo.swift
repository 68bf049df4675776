import Foundation
import SRTensor

extension StaticDataSource {
  /// A synthetic data set for `srscope view --demo` and tests: gradient-and-ring HR images, box-filtered
  /// LR, and four fake "models" (nearest, box-blur, a noisy copy with a planted defect, a shifted copy).
  /// Whole-image PSNR-Y is computed with the simple stand-in of `cropMetrics`; other metrics are absent.
  public static func demo(imageCount: Int = 3, width: Int = 192, height: Int = 128, scale: Int = 4) -> StaticDataSource {
    let w = max(scale, width / scale * scale), h = max(scale, height / scale * scale)
    var images: [ViewerImageSet] = []
    var outputs: [[Tensor?]] = Array(repeating: [], count: 4)
    for i in 0..<max(1, imageCount) {
      let hr = pattern(width: w, height: h, variant: i)
      let lr = boxDown(hr, scale)
      images.append(ViewerImageSet(name: "demo-\(i + 1).png", hr: hr, lr: lr, scale: scale))
      outputs[0].append(nearestUp(lr, scale))
      outputs[1].append(boxDown(nearestUp(lr, scale), 1, blur: scale / 2))
      outputs[2].append(plantDefect(noisy(hr, seed: UInt64(i + 1)), x: w * 2 / 3, y: h / 3, size: 12))
      outputs[3].append(shifted(hr))
    }
    let names = ["nearest", "box-blur", "esrgan-demo", "ablation-shift"]
    let partial = StaticDataSource(modelNames: names, images: images, outputs: outputs)
    let metrics: [[MetricRow?]] = (0..<names.count).map { m in
      (0..<images.count).map { i in
        partial.cropMetrics(model: m, image: i, crop: CropRect(x: 0, y: 0, width: w, height: h))
      }
    }
    return StaticDataSource(modelNames: names, images: images, outputs: outputs, metrics: metrics)
  }

  static func pattern(width w: Int, height h: Int, variant: Int) -> Tensor {
    var t = Tensor(channels: 3, height: h, width: w)
    let cx = Float(w) * (0.3 + 0.2 * Float(variant % 3)), cy = Float(h) / 2
    for y in 0..<h {
      for x in 0..<w {
        let r = ((Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)).squareRoot()
        let ring = 0.5 + 0.5 * Float(sin(Double(r) / Double(3 + variant)))
        t[0, y, x] = Float(x) / Float(w - 1)
        t[1, y, x] = ring
        t[2, y, x] = ((x / 16 + y / 16) % 2 == 0) ? 0.8 : 0.2 * Float(y) / Float(h)
      }
    }
    return t
  }

  static func boxDown(_ t: Tensor, _ s: Int, blur: Int = 0) -> Tensor {
    let k = max(1, s), oh = t.height / k, ow = t.width / k, b = max(0, blur)
    var out = Tensor(channels: t.channels, height: oh, width: ow)
    for c in 0..<t.channels {
      for y in 0..<oh {
        for x in 0..<ow {
          var sum: Float = 0, n: Float = 0
          for yy in (y * k - b)...(y * k + k - 1 + b) where yy >= 0 && yy < t.height {
            for xx in (x * k - b)...(x * k + k - 1 + b) where xx >= 0 && xx < t.width { sum += t[c, yy, xx]; n += 1 }
          }
          out[c, y, x] = sum / max(1, n)
        }
      }
    }
    return out
  }

  static func nearestUp(_ t: Tensor, _ s: Int) -> Tensor {
    var out = Tensor(channels: t.channels, height: t.height * s, width: t.width * s)
    for c in 0..<t.channels {
      for y in 0..<out.height { for x in 0..<out.width { out[c, y, x] = t[c, y / s, x / s] } }
    }
    return out
  }

  static func noisy(_ t: Tensor, seed: UInt64) -> Tensor {
    var state = seed &* 0x9E37_79B9_7F4A_7C15
    var out = t
    for i in out.data.indices {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      let u = Float(state >> 40) / Float(1 << 24) - 0.5
      out.data[i] = max(0, min(1, out.data[i] + 0.04 * u))
    }
    return out
  }

  static func plantDefect(_ t: Tensor, x: Int, y: Int, size: Int) -> Tensor {
    var out = t
    for yy in y..<min(t.height, y + size) {
      for xx in x..<min(t.width, x + size) { out[0, yy, xx] = 1; out[1, yy, xx] = 0; out[2, yy, xx] = 1 }
    }
    return out
  }

  static func shifted(_ t: Tensor) -> Tensor {
    var out = t
    for c in 0..<t.channels {
      for y in 0..<t.height { for x in 1..<t.width { out[c, y, x] = t[c, y, x - 1] } }
    }
    return out
  }
}
