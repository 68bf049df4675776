/// Why a sixel encode failed.
public enum SixelError: Error, CustomStringConvertible, Equatable {
  /// The picture is empty or its byte count does not match its size.
  case badImage(width: Int, height: Int)

  /// One line for the status bar.
  public var description: String {
    switch self {
    case .badImage(let w, let h): return "sixel: cannot encode a \(w)x\(h) picture"
    }
  }
}

/// Encodes RGB pictures as sixel DCS strings with an adaptive palette of up to `colors` registers
/// (2...1024; libsixel stops at 256, which is why this encoder exists).
///
/// Palette: when the picture has at most `colors` distinct colours they are used exactly; otherwise a
/// median cut over a 6-bit-per-channel histogram (boxes split at the weighted median of their longest
/// axis, the box with the largest `count x range^2` first), each register the mean of its pixels.
/// Mapping: every pixel takes the register nearest (squared RGB distance; ties to the lower index) to
/// its histogram cell's mean colour, with no dithering, because dither noise looks like GAN texture (TERMINAL.md §1.2).
/// Output: `ESC P q "1;1;W;H`, registers `#i;2;r;g;b` in percent, then per 6-row band one pass per
/// register present in the band (`#i`, sixel characters with `!n` runs, `$` between passes), `-`
/// between bands, `ESC \`. The cost is linear in the pixel count (about 1 ms per 100k pixels, release).
public struct SixelEncoder: Sendable {
  /// Palette size, 2...1024.
  public var colors: Int

  /// Creates an encoder with at most `colors` registers (clamped to 2...1024).
  public init(colors: Int = 256) { self.colors = max(2, min(1024, colors)) }

  /// Returns the complete `ESC P q ... ESC \` byte string for `image`.
  /// - Throws: `SixelError.badImage` when the picture is empty or its byte count is wrong.
  public func encode(_ image: RGBImage) throws -> [UInt8] {
    guard image.width > 0, image.height > 0, image.pixels.count == image.width * image.height * 3 else {
      throw SixelError.badImage(width: image.width, height: image.height)
    }
    let q = Self.exactPalette(image.pixels, maxColors: colors) ?? Self.medianCut(image.pixels, maxColors: colors)
    return Self.sixel(indices: q.indices, width: image.width, height: image.height, palette: q.palette)
  }

  /// A palette and one register index per pixel.
  struct Quantized {
    var palette: [(UInt8, UInt8, UInt8)]
    var indices: [UInt16]
  }

  /// The picture's own colours when there are at most `maxColors` of them (open-addressing hash on
  /// the 24-bit colour), else `nil` as soon as one more appears.
  static func exactPalette(_ px: [UInt8], maxColors: Int) -> Quantized? {
    let n = px.count / 3, bits = 12  // 4096 slots, at least twice 1024 + 1
    var keys = [UInt32](repeating: 0, count: 1 << bits), slotIndex = [UInt16](repeating: 0, count: 1 << bits)
    var palette: [(UInt8, UInt8, UInt8)] = []
    var indices = [UInt16](repeating: 0, count: n)
    var lastKey: UInt32 = 0, lastIndex: UInt16 = 0
    for p in 0..<n {
      let key = (UInt32(px[3 * p]) << 16 | UInt32(px[3 * p + 1]) << 8 | UInt32(px[3 * p + 2])) + 1
      if key == lastKey { indices[p] = lastIndex; continue }
      var h = Int((key &* 0x9E37_79B1) >> UInt32(32 - bits))
      while keys[h] != 0, keys[h] != key { h = (h + 1) & ((1 << bits) - 1) }
      if keys[h] == 0 {
        guard palette.count < maxColors else { return nil }
        keys[h] = key
        slotIndex[h] = UInt16(palette.count)
        palette.append((px[3 * p], px[3 * p + 1], px[3 * p + 2]))
      }
      lastKey = key; lastIndex = slotIndex[h]
      indices[p] = lastIndex
    }
    return Quantized(palette: palette, indices: indices)
  }

  /// One median-cut box: a range of `order`, its 6-bit bounds, pixel count and split priority.
  struct Box {
    var lo: Int, hi: Int, count = 0
    var low = [63, 63, 63], high = [0, 0, 0]
    /// The longest axis and its extent.
    var axis = 0, range = 0
    /// `count x range^2`, -1 when the box is a single cell.
    var score = -1
  }

  /// Median cut to at most `maxColors` registers, then nearest-register mapping per histogram cell.
  static func medianCut(_ px: [UInt8], maxColors: Int) -> Quantized {
    let n = px.count / 3
    // Histogram over 6-bit cells; `cellOf` remembers each pixel's cell for the final mapping. Occupied
    // cells are then numbered (`slot`), with their pixel count, pixel sums and 6-bit coordinates.
    var slot = [Int32](repeating: 0, count: 1 << 18)
    var cellOf = [UInt32](repeating: 0, count: n)
    for p in 0..<n {
      let c = UInt32(px[3 * p] >> 2) << 12 | UInt32(px[3 * p + 1] >> 2) << 6 | UInt32(px[3 * p + 2] >> 2)
      cellOf[p] = c
      slot[Int(c)] = 1
    }
    var coords: [UInt8] = []
    var m = 0
    for c in 0..<(1 << 18) where slot[c] != 0 {
      slot[c] = Int32(m); m += 1
      coords.append(UInt8(c >> 12)); coords.append(UInt8((c >> 6) & 63)); coords.append(UInt8(c & 63))
    }
    var weight = [Int](repeating: 0, count: m), sum = [Int](repeating: 0, count: 3 * m)
    for p in 0..<n {
      let s = Int(slot[Int(cellOf[p])])
      cellOf[p] = UInt32(s)
      weight[s] += 1
      sum[3 * s] += Int(px[3 * p]); sum[3 * s + 1] += Int(px[3 * p + 1]); sum[3 * s + 2] += Int(px[3 * p + 2])
    }
    var order = [Int32](0..<Int32(m))
    func bounds(_ lo: Int, _ hi: Int) -> Box {
      var b = Box(lo: lo, hi: hi)
      var l0 = 63, l1 = 63, l2 = 63, h0 = 0, h1 = 0, h2 = 0, count = 0
      for i in lo..<hi {
        let s = Int(order[i])
        let r = Int(coords[3 * s]), g = Int(coords[3 * s + 1]), bl = Int(coords[3 * s + 2])
        count += weight[s]
        l0 = min(l0, r); l1 = min(l1, g); l2 = min(l2, bl); h0 = max(h0, r); h1 = max(h1, g); h2 = max(h2, bl)
      }
      b.count = count; b.low = [l0, l1, l2]; b.high = [h0, h1, h2]
      let r = [h0 - l0, h1 - l1, h2 - l2]
      b.axis = r[0] >= r[1] && r[0] >= r[2] ? 0 : r[1] >= r[2] ? 1 : 2
      b.range = r[b.axis]
      b.score = b.range == 0 ? -1 : count * b.range * b.range
      return b
    }
    var boxes = [bounds(0, m)]
    boxes.reserveCapacity(maxColors)
    while boxes.count < maxColors {
      var k = 0
      for i in 1..<boxes.count where boxes[i].score > boxes[k].score { k = i }
      let b = boxes[k], axis = b.axis
      guard b.score >= 0 else { break }
      // Weighted median along the axis (64 bins), kept inside [low, high - 1] so both halves are non-empty.
      var bins = [Int](repeating: 0, count: 64)
      for i in b.lo..<b.hi { let s = Int(order[i]); bins[Int(coords[3 * s + axis])] += weight[s] }
      var split = b.low[axis], acc = bins[split]
      while split < b.high[axis] - 1, acc * 2 < b.count { split += 1; acc += bins[split] }
      var i = b.lo, j = b.hi - 1
      while i <= j {
        if Int(coords[3 * Int(order[i]) + axis]) <= split { i += 1 } else { order.swapAt(i, j); j -= 1 }
      }
      boxes[k] = bounds(b.lo, i)
      boxes.append(bounds(i, b.hi))
    }
    // Registers: the mean of each box's pixels.
    var palette: [(UInt8, UInt8, UInt8)] = []
    var own = [Int](repeating: 0, count: m)
    for (bi, b) in boxes.enumerated() {
      var t = (0, 0, 0)
      for i in b.lo..<b.hi {
        let s = Int(order[i])
        t = (t.0 + sum[3 * s], t.1 + sum[3 * s + 1], t.2 + sum[3 * s + 2])
        own[s] = bi
      }
      let c = max(1, b.count)
      palette.append((UInt8((t.0 + c / 2) / c), UInt8((t.1 + c / 2) / c), UInt8((t.2 + c / 2) / c)))
    }
    let map = nearest(cells: m, weight: weight, sum: sum, own: own, palette: palette)
    var indices = [UInt16](repeating: 0, count: n)
    for p in 0..<n { indices[p] = map[Int(cellOf[p])] }
    return Quantized(palette: palette, indices: indices)
  }

  /// For each cell, the register nearest to the cell's mean colour (ties to the lower index). Registers
  /// are bucketed on a 16x16x16 grid; a cell starts from its own box's register and checks only the
  /// buckets whose nearest point is within the best distance so far (exact: a nearer register lies in
  /// such a bucket).
  static func nearest(cells m: Int, weight: [Int], sum: [Int], own: [Int],
                      palette: [(UInt8, UInt8, UInt8)]) -> [UInt16] {
    // Bucket lists in CSR form: start[b] ..< start[b + 1] index `members`.
    func bucket(_ r: Int, _ g: Int, _ b: Int) -> Int { (r >> 4) << 8 | (g >> 4) << 4 | (b >> 4) }
    var start = [Int](repeating: 0, count: 4097)
    for c in palette { start[bucket(Int(c.0), Int(c.1), Int(c.2)) + 1] += 1 }
    for i in 0..<4096 { start[i + 1] += start[i] }
    var fill = start, members = [Int](repeating: 0, count: palette.count)
    var pr = [Int](repeating: 0, count: palette.count), pg = pr, pb = pr
    for (i, c) in palette.enumerated() {
      let k = bucket(Int(c.0), Int(c.1), Int(c.2))
      members[fill[k]] = i; fill[k] += 1
      pr[i] = Int(c.0); pg[i] = Int(c.1); pb[i] = Int(c.2)
    }
    // Squared distance from a value v to bucket range k along one axis, at [v << 4 | k].
    let gapTable = (0..<4096).map { j in
      let v = j >> 4, lo = (j & 15) << 4, d = v < lo ? lo - v : v > lo + 15 ? v - lo - 15 : 0
      return d * d
    }
    var map = [UInt16](repeating: 0, count: m)
    pr.withUnsafeBufferPointer { pr in pg.withUnsafeBufferPointer { pg in pb.withUnsafeBufferPointer { pb in
      members.withUnsafeBufferPointer { members in start.withUnsafeBufferPointer { start in gapTable.withUnsafeBufferPointer { gap in
        for s in 0..<m {
          let w = weight[s]
          let r = (sum[3 * s] + w / 2) / w, g = (sum[3 * s + 1] + w / 2) / w, b = (sum[3 * s + 2] + w / 2) / w
          var best = own[s]
          var bestD = (r - pr[best]) * (r - pr[best]) + (g - pg[best]) * (g - pg[best]) + (b - pb[best]) * (b - pb[best])
          if bestD > 0 {
            // Buckets whose nearest point is within the best distance so far (which shrinks as the
            // search goes), starting at the cell's own bucket.
            var radius = 0
            while radius * radius < bestD { radius += 1 }
            let gr = r << 4, gg = g << 4, gb = b << 4
            let home = (r >> 4) << 8 | (g >> 4) << 4 | (b >> 4)
            for e in start[home]..<start[home + 1] {
              let i = members[e]
              let d = (r - pr[i]) * (r - pr[i]) + (g - pg[i]) * (g - pg[i]) + (b - pb[i]) * (b - pb[i])
              if d < bestD || (d == bestD && i < best) { bestD = d; best = i }
            }
            for br in max(0, r - radius) >> 4...min(255, r + radius) >> 4 where gap[gr | br] <= bestD {
              for bg in max(0, g - radius) >> 4...min(255, g + radius) >> 4 where gap[gr | br] + gap[gg | bg] <= bestD {
                for bb in max(0, b - radius) >> 4...min(255, b + radius) >> 4
                where gap[gr | br] + gap[gg | bg] + gap[gb | bb] <= bestD {
                  let k = br << 8 | bg << 4 | bb
                  if k == home { continue }
                  for e in start[k]..<start[k + 1] {
                    let i = members[e]
                    let d = (r - pr[i]) * (r - pr[i]) + (g - pg[i]) * (g - pg[i]) + (b - pb[i]) * (b - pb[i])
                    if d < bestD || (d == bestD && i < best) { bestD = d; best = i }
                  }
                }
              }
            }
          }
          map[s] = UInt16(best)
        }
      } } }
    } } }
    return map
  }

  /// The sixel byte string for a picture given as register indices (row-major) and its palette.
  static func sixel(indices: [UInt16], width w: Int, height h: Int, palette: [(UInt8, UInt8, UInt8)]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(w * h / 3 + palette.count * 18 + 64)
    func put(_ s: String) { out.append(contentsOf: s.utf8) }
    func number(_ v: Int) {
      if v >= 10 { number(v / 10) }
      out.append(UInt8(48 + v % 10))
    }
    put("\u{1B}Pq\"1;1;\(w);\(h)")
    func percent(_ v: UInt8) -> Int { (Int(v) * 100 + 127) / 255 }
    for (i, c) in palette.enumerated() { put("#\(i);2;\(percent(c.0));\(percent(c.1));\(percent(c.2))") }
    // Per band: a linked list of (column, six bits) entries per register, in column order.
    let n = palette.count
    var head = [Int32](repeating: -1, count: n), tail = [Int32](repeating: -1, count: n)
    var lastX = [Int32](repeating: -1, count: n)
    var entryX = [Int32](repeating: 0, count: 6 * w), entryBits = [UInt8](repeating: 0, count: 6 * w)
    var entryNext = [Int32](repeating: -1, count: 6 * w)
    var present: [Int] = []
    var runChar: UInt8 = 0, runLength = 0
    func flush() {
      if runLength > 3 { out.append(UInt8(ascii: "!")); number(runLength); out.append(runChar) }
      else { for _ in 0..<runLength { out.append(runChar) } }
      runLength = 0
    }
    func push(_ ch: UInt8, _ count: Int) {
      if ch == runChar, runLength > 0 { runLength += count } else { flush(); runChar = ch; runLength = count }
    }
    for top in stride(from: 0, to: h, by: 6) {
      let rows = min(6, h - top)
      var entries: Int32 = 0
      present.removeAll(keepingCapacity: true)
      for x in 0..<w {
        for k in 0..<rows {
          let c = Int(indices[(top + k) * w + x])
          if lastX[c] == Int32(x) { entryBits[Int(tail[c])] |= 1 << k; continue }
          let e = entries
          entries += 1
          entryX[Int(e)] = Int32(x); entryBits[Int(e)] = 1 << k; entryNext[Int(e)] = -1
          if head[c] < 0 { head[c] = e; present.append(c) } else { entryNext[Int(tail[c])] = e }
          tail[c] = e; lastX[c] = Int32(x)
        }
      }
      for (pass, c) in present.enumerated() {
        if pass > 0 { out.append(UInt8(ascii: "$")) }
        out.append(UInt8(ascii: "#")); number(c)
        var x: Int32 = 0, e = head[c]
        while e >= 0 {
          let ex = entryX[Int(e)]
          if ex > x { push(63, Int(ex - x)) }
          push(63 + entryBits[Int(e)], 1)
          x = ex + 1; e = entryNext[Int(e)]
        }
        flush()
        head[c] = -1; lastX[c] = -1
      }
      if top + 6 < h { out.append(UInt8(ascii: "-")) }
    }
    put("\u{1B}\\")
    return out
  }
}
