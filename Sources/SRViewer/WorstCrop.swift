import SRTensor

/// Finds where two images differ most: ranks crop positions on a grid by mean |A - B|.
public enum WorstCrop {
  /// One ranked crop.
  public struct Candidate: Sendable, Equatable {
    /// The crop in HR pixels.
    public var crop: CropRect
    /// Mean over the crop and channels of |A - B| (0...1 units).
    public var meanAbsDifference: Double
  }

  /// Ranks `size`-square crops whose origins step by `stride` (the last row/column is snapped to the
  /// edge so the border is covered), worst first, dropping crops that overlap an already chosen one
  /// by more than half of their area. `a` and `b` are `[C, H, W]` of equal shape; else returns `[]`.
  public static func rank(_ a: Tensor, _ b: Tensor, size: Int, stride: Int, limit: Int = 50) -> [Candidate] {
    guard a.shape == b.shape, a.rank == 3, size > 0, stride > 0 else { return [] }
    let h = a.height, w = a.width, side = min(size, h, w)
    guard side > 0 else { return [] }
    let integral = summedDifference(a, b)
    func sum(_ x: Int, _ y: Int) -> Double {
      integral[(y + side) * (w + 1) + x + side] - integral[y * (w + 1) + x + side]
        - integral[(y + side) * (w + 1) + x] + integral[y * (w + 1) + x]
    }
    var all: [Candidate] = []
    for y in origins(extent: h, side: side, stride: stride) {
      for x in origins(extent: w, side: side, stride: stride) {
        let mean = sum(x, y) / Double(side * side * a.channels)
        all.append(Candidate(crop: CropRect(x: x, y: y, width: side, height: side), meanAbsDifference: mean))
      }
    }
    all.sort { $0.meanAbsDifference != $1.meanAbsDifference ? $0.meanAbsDifference > $1.meanAbsDifference
      : ($0.crop.y, $0.crop.x) < ($1.crop.y, $1.crop.x) }
    var chosen: [Candidate] = []
    for c in all where chosen.count < limit {
      if chosen.allSatisfy({ overlap($0.crop, c.crop) * 2 <= side * side }) { chosen.append(c) }
    }
    return chosen
  }

  /// Grid origins 0, stride, 2*stride, ... plus `extent - side` so the far edge is reachable.
  static func origins(extent: Int, side: Int, stride: Int) -> [Int] {
    var list = Array(Swift.stride(from: 0, through: extent - side, by: stride))
    if list.last != extent - side { list.append(extent - side) }
    return list
  }

  /// Summed-area table `(H+1) x (W+1)` of the per-pixel channel sum of |a - b|, in Double.
  static func summedDifference(_ a: Tensor, _ b: Tensor) -> [Double] {
    let h = a.height, w = a.width
    var table = [Double](repeating: 0, count: (h + 1) * (w + 1))
    for y in 0..<h {
      var row = 0.0
      for x in 0..<w {
        for c in 0..<a.channels { row += Double(abs(a[c, y, x] - b[c, y, x])) }
        table[(y + 1) * (w + 1) + x + 1] = table[y * (w + 1) + x + 1] + row
      }
    }
    return table
  }

  static func overlap(_ p: CropRect, _ q: CropRect) -> Int {
    let w = min(p.x + p.width, q.x + q.width) - max(p.x, q.x)
    let h = min(p.y + p.height, q.y + q.height) - max(p.y, q.y)
    return max(0, w) * max(0, h)
  }
}
