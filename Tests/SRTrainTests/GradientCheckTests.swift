import Testing
import SRTestSupport
@testable import SRTrain

/// Central finite differences of a Double function (h = 1e-6): truncation error ~1e-12.
func numericGradient(_ x: [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
  var x = x
  return x.indices.map { i in
    let v = x[i]
    x[i] = v + h; let a = f(x)
    x[i] = v - h; let b = f(x)
    x[i] = v
    return (a - b) / (2 * h)
  }
}

/// Random values bounded away from zero (|v| in [0.1, 1]) so ReLU/LeakyReLU kinks are not crossed.
func awayFromZero(_ n: Int, _ rng: inout SeededGenerator) -> [Float] {
  (0..<n).map { _ in Float.random(in: 0.1...1, using: &rng) * (Bool.random(using: &rng) ? 1 : -1) }
}

/// Σ g·y.
func wsum(_ g: [Double], _ y: [Double]) -> Double {
  var s = 0.0
  for i in g.indices { s += g[i] * y[i] }
  return s
}

/// Worst relative deviation of a Float result from a Double reference.
func err(_ a: [Float], _ e: [Double]) -> Double { Deviation(a, e).error }

/// Naive Double conv (same padding), reading the first `inC` channels of an `[n, xc, h, w]` input.
func refConv(_ x: [Double], n: Int, xc: Int, h: Int, w: Int, weight: [Double], bias: [Double], inC: Int, outC: Int) -> [Double] {
  var y = [Double](repeating: 0, count: n * outC * h * w)
  for s in 0..<n { for o in 0..<outC { for yy in 0..<h { for xx in 0..<w {
    var acc = bias[o]
    for c in 0..<inC { for ky in 0..<3 { for kx in 0..<3 {
      let iy = yy + ky - 1, ix = xx + kx - 1
      if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
      acc += weight[((o * inC + c) * 3 + ky) * 3 + kx] * x[((s * xc + c) * h + iy) * w + ix]
    } } }
    y[((s * outC + o) * h + yy) * w + xx] = acc
  } } } }
  return y
}

/// Flat NCHW indices of one channel across the batch.
func channelIndices(n: Int, c: Int, plane: Int, channel: Int) -> [Int] {
  var out: [Int] = []
  for s in 0..<n { out += Array(((s * c + channel) * plane)..<((s * c + channel + 1) * plane)) }
  return out
}

/// Tolerance for Float32 analytic gradients vs Double finite differences: |a-e| <= 1e-4·max(1,|e|).
let gradTolerance = 1e-4

@Suite struct GradientCheckTests {
  @Test(arguments: [3, 5]) func convGradients(inputChannels xc: Int) {
    var rng = SeededGenerator(seed: 11)
    let n = 2, inC = 3, outC = 2, h = 5, w = 4
    let conv = Conv("c", in: inC, out: outC)
    conv.weight.value = rng.floats(conv.weight.value.count)
    conv.bias.value = rng.floats(outC)
    let x = FeatureBatch(n: n, c: xc, h: h, w: w, data: rng.floats(n * xc * h * w))
    let g = rng.floats(n * outC * h * w).map(Double.init)
    let y = conv.forward(x)
    let yRef = refConv(x.data.map(Double.init), n: n, xc: xc, h: h, w: w, weight: conv.weight.value.map(Double.init),
                       bias: conv.bias.value.map(Double.init), inC: inC, outC: outC)
    #expect(err(y.data, yRef) < gradTolerance)
    var dx: FeatureBatch? = x.zerosLike()
    conv.backward(input: x, dy: FeatureBatch(n: n, c: outC, h: h, w: w, data: g.map(Float.init)), dx: &dx)
    let xd = x.data.map(Double.init), wd = conv.weight.value.map(Double.init), bd = conv.bias.value.map(Double.init)
    let loss = { (xv: [Double], wv: [Double], bv: [Double]) -> Double in
      wsum(g, refConv(xv, n: n, xc: xc, h: h, w: w, weight: wv, bias: bv, inC: inC, outC: outC))
    }
    #expect(Deviation(dx!.data, numericGradient(xd) { loss($0, wd, bd) }).error < gradTolerance)
    #expect(Deviation(conv.weight.grad, numericGradient(wd) { loss(xd, $0, bd) }).error < gradTolerance)
    #expect(Deviation(conv.bias.grad, numericGradient(bd) { loss(xd, wd, $0) }).error < gradTolerance)
  }

  /// Double reference of training-mode BN: biased variance for normalisation, ε = 1e-5.
  static func refBN(_ x: [Double], n: Int, c: Int, plane: Int, gamma: [Double], beta: [Double]) -> [Double] {
    var y = x
    for ch in 0..<c {
      let idx = channelIndices(n: n, c: c, plane: plane, channel: ch)
      var mean = 0.0, variance = 0.0
      for i in idx { mean += x[i] }
      mean /= Double(idx.count)
      for i in idx { variance += (x[i] - mean) * (x[i] - mean) }
      variance /= Double(idx.count)
      for i in idx { y[i] = (x[i] - mean) / (variance + 1e-5).squareRoot() * gamma[ch] + beta[ch] }
    }
    return y
  }

  @Test func batchNormTrainGradientsAndRunningStats() {
    var rng = SeededGenerator(seed: 5)
    let n = 3, c = 2, h = 3, w = 2, plane = h * w
    let bn = BatchNorm("bn", channels: c)
    bn.weight.value = rng.floats(c, in: 0.5...1.5); bn.bias.value = rng.floats(c)
    let x = FeatureBatch(n: n, c: c, h: h, w: w, data: rng.floats(n * c * plane, in: -2...2))
    let g = rng.floats(x.count).map(Double.init)
    let y = bn.forward(x, training: true)
    let xd = x.data.map(Double.init), gd = bn.weight.value.map(Double.init), bd = bn.bias.value.map(Double.init)
    #expect(err(y.data, Self.refBN(xd, n: n, c: c, plane: plane, gamma: gd, beta: bd)) < gradTolerance)
    let dx = bn.backward(FeatureBatch(n: n, c: c, h: h, w: w, data: g.map(Float.init)))
    let loss = { (x: [Double], ga: [Double], be: [Double]) -> Double in
      wsum(g, Self.refBN(x, n: n, c: c, plane: plane, gamma: ga, beta: be))
    }
    #expect(Deviation(dx.data, numericGradient(xd) { loss($0, gd, bd) }).error < gradTolerance)
    #expect(Deviation(bn.weight.grad, numericGradient(gd) { loss(xd, $0, bd) }).error < gradTolerance)
    #expect(Deviation(bn.bias.grad, numericGradient(bd) { loss(xd, gd, $0) }).error < gradTolerance)
    // Running stats: momentum 0.1 from (0, 1), unbiased variance (divide by m - 1 = 17).
    for ch in 0..<c {
      let vals = channelIndices(n: n, c: c, plane: plane, channel: ch).map { xd[$0] }
      let mean: Double = vals.reduce(0, +) / Double(vals.count)
      var unbiased = 0.0
      for v in vals { unbiased += (v - mean) * (v - mean) }
      unbiased /= Double(vals.count - 1)
      #expect(abs(Double(bn.runningMean.value[ch]) - 0.1 * mean) < 1e-6)
      #expect(abs(Double(bn.runningVar.value[ch]) - (0.9 + 0.1 * unbiased)) < 1e-6)
    }
  }

  @Test(arguments: [Float(0), 0.1, 0.2]) func leakyReLUGradient(slope: Float) {
    var rng = SeededGenerator(seed: 3)
    let x = FeatureBatch(n: 2, c: 2, h: 3, w: 3, data: awayFromZero(36, &rng))
    let g = rng.floats(36).map(Double.init)
    let y = Kernels.leaky(x, slope: slope)
    let dx = Kernels.leakyBackward(output: y, dy: FeatureBatch(n: 2, c: 2, h: 3, w: 3, data: g.map(Float.init)), slope: slope)
    let ref = numericGradient(x.data.map(Double.init)) { v in
      wsum(g, v.map { $0 >= 0 ? $0 : Double(slope) * $0 })
    }
    #expect(err(dx.data, ref) < gradTolerance)
  }

  @Test func upsampleAndPixelShuffleGradients() {
    var rng = SeededGenerator(seed: 9)
    let x = FeatureBatch(n: 2, c: 8, h: 2, w: 3, data: rng.floats(96))
    // Nearest x2: out[y, x] = in[y/2, x/2].
    let refUp = { (v: [Double]) -> [Double] in
      var out: [Double] = []
      for p in 0..<16 { for y in 0..<4 { for xx in 0..<6 { out.append(v[p * 6 + (y / 2) * 3 + xx / 2]) } } }
      return out
    }
    // PixelShuffle(2): out[c, 2y+i, 2x+j] = in[4c + 2i + j, y, x].
    let refShuffle = { (v: [Double]) -> [Double] in
      var out: [Double] = []
      for s in 0..<2 { for c in 0..<2 { for yy in 0..<4 { for xx in 0..<6 {
        out.append(v[((s * 8 + c * 4 + (yy % 2) * 2 + xx % 2) * 2 + yy / 2) * 3 + xx / 2])
      } } } }
      return out
    }
    for (fwd, bwd, ref, outC) in [
      ({ Kernels.upsampleNearest($0, factor: 2) }, { Kernels.upsampleNearestBackward($0, factor: 2) }, refUp, 8),
      ({ Kernels.pixelShuffle($0, factor: 2) }, { Kernels.pixelShuffleBackward($0, factor: 2) }, refShuffle, 2),
    ] as [((FeatureBatch) -> FeatureBatch, (FeatureBatch) -> FeatureBatch, ([Double]) -> [Double], Int)] {
      let y = fwd(x)
      #expect(err(y.data, ref(x.data.map(Double.init))) == 0)
      let g = rng.floats(y.count).map(Double.init)
      let dx = bwd(FeatureBatch(n: 2, c: outC, h: 4, w: 6, data: g.map(Float.init)))
      let num = numericGradient(x.data.map(Double.init)) { wsum(g, ref($0)) }
      #expect(err(dx.data, num) < gradTolerance)
    }
  }

  @Test func l1LossGradient() {
    var rng = SeededGenerator(seed: 2)
    let t = rng.floats(40)
    let p = zip(t, awayFromZero(40, &rng)).map { $0 + $1 }  // |p - t| >= 0.1: off the kink
    let (loss, grad) = Kernels.l1(FeatureBatch(n: 1, c: 1, h: 5, w: 8, data: p), FeatureBatch(n: 1, c: 1, h: 5, w: 8, data: t))
    let f = { (v: [Double]) -> Double in
      var s = 0.0
      for i in v.indices { s += abs(v[i] - Double(t[i])) }
      return s / 40
    }
    #expect(abs(loss - f(p.map(Double.init))) < 1e-7)
    #expect(err(grad.data, numericGradient(p.map(Double.init), f)) < gradTolerance)
  }
}
