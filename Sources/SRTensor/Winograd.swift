/// Winograd F(4x4, 3x3) transforms (Lavin & Gray 2016, interpolation points 0, +-1, +-2, inf).
///
/// `Y = A^T [(G g G^T) .* (B^T d B)] A` turns a 6x6 input tile `d` and a 3x3 kernel `g` into a
/// 4x4 output tile with 36 multiplies instead of 144. The weight transform is here; the input
/// and output transforms and the products run in C (`WinogradKernels`), 16 tiles at a time.
enum Winograd {
  /// Output tile edge.
  static let m = 4
  /// Input tile edge (`m + 2`).
  static let alpha = 6
  /// Transform points per tile.
  static let points = 36
  /// Tiles per block (one per vector lane of the C kernels).
  static let lanes = 16

  /// `U[pt, o, i] = (G w[o, i] G^T)[pt]` for OIHW 3x3 weights, each point's `[out, in]` matrix
  /// packed for the product kernel (`WinogradKernels.packedIndex`), parallel over groups of
  /// eight output channels: whole groups in Float SIMD (eight consecutive output channels are
  /// eight contiguous floats of the packing), a last partial group in Double.
  static func transformWeights(_ w: [Float], out: Int, in inC: Int) -> [Float] {
    let total = points * out * inC
    return [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
      w.withUnsafeBufferPointer { wp in
        let u = buffer.baseAddress!, src = wp.baseAddress!
        let step = out * inC
        Parallel.forEach((out + 7) / 8) { group in
          let o0 = group * 8
          guard o0 + 8 <= out else {
            for o in o0..<out { transformScalar(src, o: o, out: out, in: inC, into: u) }
            return
          }
          let kernelStride = inC * 9
          for i in 0..<inC {
            let k = src + (o0 * inC + i) * 9
            @inline(__always) func tap(_ t: Int) -> SIMD8<Float> {
              var lanes = SIMD8<Float>()
              for l in 0..<8 { lanes[l] = k[l * kernelStride + t] }
              return lanes
            }
            // Columns of G w (6x3), then rows of (G w) G^T.
            let a = applyG(tap(0), tap(3), tap(6))
            let b = applyG(tap(1), tap(4), tap(7))
            let c = applyG(tap(2), tap(5), tap(8))
            let dst = UnsafeMutableRawPointer(u + WinogradKernels.packedIndex(o: o0, i: i, out: out, in: inC))
            @inline(__always) func storeRow(_ r: Int, _ x: SIMD8<Float>, _ y: SIMD8<Float>, _ z: SIMD8<Float>) {
              let row = applyG(x, y, z)
              let p = dst + 4 * r * 6 * step
              p.storeBytes(of: row.0, as: SIMD8<Float>.self)
              (p + 4 * step).storeBytes(of: row.1, as: SIMD8<Float>.self)
              (p + 8 * step).storeBytes(of: row.2, as: SIMD8<Float>.self)
              (p + 12 * step).storeBytes(of: row.3, as: SIMD8<Float>.self)
              (p + 16 * step).storeBytes(of: row.4, as: SIMD8<Float>.self)
              (p + 20 * step).storeBytes(of: row.5, as: SIMD8<Float>.self)
            }
            storeRow(0, a.0, b.0, c.0); storeRow(1, a.1, b.1, c.1); storeRow(2, a.2, b.2, c.2)
            storeRow(3, a.3, b.3, c.3); storeRow(4, a.4, b.4, c.4); storeRow(5, a.5, b.5, c.5)
          }
        }
      }
      initialized = total
    }
  }

  /// The transform of every kernel of output channel `o`, in Double.
  private static func transformScalar(_ src: UnsafePointer<Float>, o: Int, out: Int, in inC: Int,
                                      into u: UnsafeMutablePointer<Float>) {
    let step = out * inC
    for i in 0..<inC {
      let k = src + (o * inC + i) * 9
      // Columns of G w (6x3), then rows of (G w) G^T.
      let c0 = applyG(Double(k[0]), Double(k[3]), Double(k[6]))
      let c1 = applyG(Double(k[1]), Double(k[4]), Double(k[7]))
      let c2 = applyG(Double(k[2]), Double(k[5]), Double(k[8]))
      let dst = u + WinogradKernels.packedIndex(o: o, i: i, out: out, in: inC)
      for r in 0..<6 {
        let row = applyG(c0[r], c1[r], c2[r])
        for c in 0..<6 { dst[(r * 6 + c) * step] = Float(row[c]) }
      }
    }
  }

  /// `G (a, b, c)^T`, the six transform values of three kernel taps.
  @inline(__always)
  static func applyG(_ a: Double, _ b: Double, _ c: Double) -> SIMD8<Double> {
    let s = a + c
    return SIMD8(a / 4, -(s + b) / 6, -(s - b) / 6, a / 24 + b / 12 + c / 6, a / 24 - b / 12 + c / 6, c, 0, 0)
  }

  /// `G (a, b, c)^T` for eight kernels at once (one per lane), in Float.
  @inline(__always)
  static func applyG(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>)
    -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
  {
    let s = a + c
    return (a / 4, -(s + b) / 6, -(s - b) / 6, a / 24 + b / 12 + c / 6, a / 24 - b / 12 + c / 6, c)
  }
}
