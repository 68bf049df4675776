/// Epilogue parameters: activation kind (0 none, 1 ReLU, 2 LeakyReLU), slope, optional residual.
struct WinogradEpilogue {
  let kind: Int
  let slope: Float
  /// If set, the output is `residualScale * activation(conv + bias) + residual` (same CHW shape).
  var residual: UnsafePointer<Float>? = nil
  var residualScale: Float = 1

  init(_ activation: Activation) {
    switch activation {
    case .none: kind = 0; slope = 0
    case .relu: kind = 1; slope = 0
    case .leakyReLU(let s): kind = 2; slope = s
    }
  }
}

/// Tiling of one Winograd call: 4x4 output tiles, processed in chunks of whole tile rows.
///
/// Tiles are grouped in blocks of 16 (one SIMD lane each), `blocksX` per tile row, the last one
/// padded. Per chunk of `rows` tile rows (`blocks = rows * blocksX`): `V[36][blocks][in][16]`
/// (transformed input) and `M[36][blocks][out][16]` (products), both bounded by the budget.
struct WinogradPlan {
  let inChannels, outChannels, height, width: Int
  /// Tiles per row and tile rows.
  let tilesX, tileRows: Int
  /// Tile blocks per tile row.
  let blocksX: Int
  /// Tile rows per chunk.
  let rowsPerChunk: Int

  /// `budgetedChannels`: channels per tile that a chunk's buffers hold (default `in + out`; a
  /// call reading an existing transformed input only buffers its `out` GEMM results).
  init(inChannels: Int, outChannels: Int, height: Int, width: Int, budget: Int, budgetedChannels: Int? = nil) {
    self.inChannels = inChannels; self.outChannels = outChannels
    self.height = height; self.width = width
    tilesX = (width + 3) / 4
    tileRows = (height + 3) / 4
    blocksX = (tilesX + Winograd.lanes - 1) / Winograd.lanes
    let bytesPerTileRow = 4 * Winograd.points * (budgetedChannels ?? (inChannels + outChannels)) * blocksX * Winograd.lanes
    rowsPerChunk = max(1, min(tileRows, budget / bytesPerTileRow))
  }

  /// Tiles per row rounded up to whole blocks.
  var groupedX: Int { blocksX * Winograd.lanes }
  /// Tile blocks of a full chunk.
  var blocksPerChunk: Int { rowsPerChunk * blocksX }

  /// Floats between the transform points of a buffer of `blocks` tile blocks of `channels`: one
  /// SIMD group more than the data, so that the 36 points do not alias in the cache.
  static func pointStride(blocks: Int, channels: Int) -> Int { (blocks * channels + 1) * Winograd.lanes }

  /// Point stride of the V and M chunk buffers.
  var vPointStride: Int { Self.pointStride(blocks: blocksPerChunk, channels: inChannels) }
  var mPointStride: Int { Self.pointStride(blocks: blocksPerChunk, channels: outChannels) }
  /// Floats of the V and M buffers (one chunk).
  var vCapacity: Int { Winograd.points * vPointStride }
  var mCapacity: Int { Winograd.points * mPointStride }

  /// Length of one phase row of the input scratch (one more than `groupedX` for the `+1` loads).
  private var phaseLength: Int { groupedX + Winograd.lanes }

  /// Writes the transformed input of tile rows `ty0..<ty0+rows` into this call's chunk buffer
  /// (`V[36][blocks][in][16]`), parallel over input channels.
  func inputTransform(_ x: UnsafePointer<Float>, ty0: Int, rows: Int, v: UnsafeMutablePointer<Float>) {
    inputTransform(x, channels: inChannels, ty0: ty0, rows: rows, v: v,
                   blockStride: inChannels * Winograd.lanes, pointStride: vPointStride)
  }

  /// Writes the transform of tile rows `ty0..<ty0+rows` of `channels` CHW planes of `x`:
  /// channel `c`, tile block `b` (counted from tile row `ty0`), point `pt` goes to the 16 floats
  /// at `v + pt * pointStride + b * blockStride + 16 * c`. Padding lanes of a row's last block
  /// get finite values that no output reads. Parallel over channels.
  ///
  /// Each of the six input rows of a tile row is split into four phase rows
  /// (`phase[q][j] = x[4j + q - 1]`, zero outside the image), so that the six columns of
  /// 16 consecutive tiles are six contiguous vector loads.
  func inputTransform(
    _ x: UnsafePointer<Float>, channels: Int, ty0: Int, rows: Int, v: UnsafeMutablePointer<Float>,
    blockStride: Int, pointStride: Int
  ) {
    let plen = phaseLength
    Parallel.forEach(channels) { c in
      let plane = x + c * height * width
      let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 24 * plen)
      defer { scratch.deallocate() }
      let t = UnsafeMutablePointer<Winograd.Vec>.allocate(capacity: 36)
      defer { t.deallocate() }
      for ty in ty0..<(ty0 + rows) {
        fillPhases(plane, ty: ty, scratch: scratch, plen: plen)
        let dst = v + c * Winograd.lanes + (ty - ty0) * blocksX * blockStride
        for block in 0..<blocksX {
          let j0 = block * Winograd.lanes
          for r in 0..<6 {
            let p = scratch + r * 4 * plen + j0
            let s = Winograd.inputStep(
              Winograd.load(p), Winograd.load(p + plen), Winograd.load(p + 2 * plen),
              Winograd.load(p + 3 * plen), Winograd.load(p + 1), Winograd.load(p + plen + 1))
            t[r * 6] = s.0; t[r * 6 + 1] = s.1; t[r * 6 + 2] = s.2
            t[r * 6 + 3] = s.3; t[r * 6 + 4] = s.4; t[r * 6 + 5] = s.5
          }
          let stride = pointStride
          for col in 0..<6 {
            let s = Winograd.inputStep(t[col], t[6 + col], t[12 + col], t[18 + col], t[24 + col], t[30 + col])
            let q = dst + block * blockStride + col * stride
            Winograd.store(s.0, q)
            Winograd.store(s.1, q + 6 * stride)
            Winograd.store(s.2, q + 12 * stride)
            Winograd.store(s.3, q + 18 * stride)
            Winograd.store(s.4, q + 24 * stride)
            Winograd.store(s.5, q + 30 * stride)
          }
        }
      }
    }
  }

  /// Splits input rows `4ty-1 ..< 4ty+5` of one channel into phase rows (zero-padded).
  @inline(__always)
  private func fillPhases(_ plane: UnsafePointer<Float>, ty: Int, scratch: UnsafeMutablePointer<Float>, plen: Int) {
    for r in 0..<6 {
      let y = 4 * ty - 1 + r
      let base = scratch + r * 4 * plen
      if y < 0 || y >= height {
        base.update(repeating: 0, count: 4 * plen)
        continue
      }
      let src = plane + y * width
      // Padded column X = x + 1 goes to phase X & 3, slot X >> 2. Blocks of 32 padded columns
      // (8 slots) lying inside the row are split with vector shuffles, the rest one by one.
      let blocks = width >= 32 ? (width + 1) / 32 : 0
      for q in 0..<4 { base[q * plen] = 0 }
      var b = 1
      for xi in 0..<min(width, 31) {
        let xp = xi + 1
        base[(xp & 3) * plen + (xp >> 2)] = src[xi]
      }
      while b < blocks {
        let v = UnsafeRawPointer(src + 32 * b - 1).loadUnaligned(as: SIMD32<Float>.self)
        let slot = 8 * b
        // Element e is padded column 32b + e: phase e & 3 = even/odd of even/odd halves.
        let even = v.evenHalf, odd = v.oddHalf
        UnsafeMutableRawPointer(base + slot).storeBytes(of: even.evenHalf, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(base + plen + slot).storeBytes(of: odd.evenHalf, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(base + 2 * plen + slot).storeBytes(of: even.oddHalf, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(base + 3 * plen + slot).storeBytes(of: odd.oddHalf, as: SIMD8<Float>.self)
        b += 1
      }
      let done = min(width, max(31, 32 * blocks - 1))  // source columns already written
      for xi in done..<width {
        let xp = xi + 1
        base[(xp & 3) * plen + (xp >> 2)] = src[xi]
      }
      // Zero every slot after the last written column, up to the end of each phase row.
      let xpEnd = width + 1
      for q in 0..<4 {
        let first = (xpEnd + 3 - q) / 4  // smallest slot j with 4j + q >= xpEnd
        (base + q * plen + first).update(repeating: 0, count: plen - first)
      }
    }
  }

  /// Writes output rows of tile rows `ty0..<ty0+rows` from `M`, adding the bias and applying
  /// the activation (and, with `epilogue.residual`, `scale * that + residual`), parallel over
  /// output channels.
  func outputTransform(
    _ m: UnsafePointer<Float>, ty0: Int, rows: Int, bias: UnsafePointer<Float>?,
    epilogue: WinogradEpilogue, out: UnsafeMutablePointer<Float>
  ) {
    let stride = mPointStride, blockStride = outChannels * Winograd.lanes
    Parallel.forEach(outChannels) { o in
      let s = UnsafeMutablePointer<Winograd.Vec>.allocate(capacity: 24 + 4)
      defer { s.deallocate() }
      let b = Winograd.Vec(repeating: bias?[o] ?? 0)
      let plane = out + o * height * width
      let residual = epilogue.residual.map { $0 + o * height * width }
      for ty in ty0..<(ty0 + rows) {
        let src = m + o * Winograd.lanes + (ty - ty0) * blocksX * blockStride
        for block in 0..<blocksX {
          let j0 = block * Winograd.lanes
          let count = min(Winograd.lanes, tilesX - j0)
          for col in 0..<6 {
            let p = src + block * blockStride + col * stride
            let r = Winograd.outputStep(
              Winograd.load(p), Winograd.load(p + 6 * stride), Winograd.load(p + 12 * stride),
              Winograd.load(p + 18 * stride), Winograd.load(p + 24 * stride), Winograd.load(p + 30 * stride))
            s[col] = r.0; s[6 + col] = r.1; s[12 + col] = r.2; s[18 + col] = r.3
          }
          for i in 0..<4 {
            let oy = 4 * ty + i
            if oy >= height { break }
            let r = Winograd.outputStep(s[i * 6], s[i * 6 + 1], s[i * 6 + 2], s[i * 6 + 3], s[i * 6 + 4], s[i * 6 + 5])
            s[24] = Winograd.activate(r.0 + b, epilogue.kind, epilogue.slope)
            s[25] = Winograd.activate(r.1 + b, epilogue.kind, epilogue.slope)
            s[26] = Winograd.activate(r.2 + b, epilogue.kind, epilogue.slope)
            s[27] = Winograd.activate(r.3 + b, epilogue.kind, epilogue.slope)
            if let residual {
              let scale = epilogue.residualScale
              s[24] = s[24] * scale; s[25] = s[25] * scale; s[26] = s[26] * scale; s[27] = s[27] * scale
              scatterRow(UnsafeRawPointer(s + 24).assumingMemoryBound(to: Float.self),
                         row: plane + oy * width, adding: residual + oy * width, x0: 4 * j0, count: count)
            } else {
              scatterRow(UnsafeRawPointer(s + 24).assumingMemoryBound(to: Float.self),
                         row: plane + oy * width, x0: 4 * j0, count: count)
            }
          }
        }
      }
    }
  }

  /// `scatterRow` that adds the matching entries of `residual` (same row layout as `row`).
  @inline(__always)
  private func scatterRow(
    _ phases: UnsafePointer<Float>, row: UnsafeMutablePointer<Float>, adding residual: UnsafePointer<Float>,
    x0: Int, count: Int
  ) {
    for j in 0..<count {
      for k in 0..<4 where x0 + 4 * j + k < width {
        let x = x0 + 4 * j + k
        row[x] = phases[k * 16 + j] + residual[x]
      }
    }
  }

  /// Interleaves four phase vectors (`k*16 + j` holds output column `x0 + 4j + k`) into a row.
  @inline(__always)
  private func scatterRow(_ phases: UnsafePointer<Float>, row: UnsafeMutablePointer<Float>, x0: Int, count: Int) {
    if x0 + 4 * count <= width {
      for j in 0..<count {
        let d = row + x0 + 4 * j
        d[0] = phases[j]; d[1] = phases[16 + j]; d[2] = phases[32 + j]; d[3] = phases[48 + j]
      }
    } else {
      for j in 0..<count {
        for k in 0..<4 where x0 + 4 * j + k < width { row[x0 + 4 * j + k] = phases[k * 16 + j] }
      }
    }
  }
}
