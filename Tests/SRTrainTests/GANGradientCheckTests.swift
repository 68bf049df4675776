import Foundation
import Testing
import SRTensor
import SRTestSupport
@testable import SRTrain

/// Naive Double convolution with any square kernel, stride and zero padding (bias optional) on an
/// `[n, c, h, w]` input; returns the output and its size.
func refConvGeneral(_ x: [Double], n: Int, c: Int, h: Int, w: Int, weight: [Double], bias: [Double]?, outC: Int,
                    kernel k: Int, stride s: Int, padding p: Int) -> (y: [Double], h: Int, w: Int) {
  let oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1
  var y = [Double](repeating: 0, count: n * outC * oh * ow)
  for b in 0..<n { for o in 0..<outC { for oy in 0..<oh { for ox in 0..<ow {
    var acc = bias?[o] ?? 0
    for ci in 0..<c { for ky in 0..<k { for kx in 0..<k {
      let iy = oy * s - p + ky, ix = ox * s - p + kx
      if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
      acc += weight[((o * c + ci) * k + ky) * k + kx] * x[((b * c + ci) * h + iy) * w + ix]
    } } }
    y[((b * outC + o) * oh + oy) * ow + ox] = acc
  } } } }
  return (y, oh, ow)
}

/// Naive Double `x · Wᵀ + b` on `n` rows.
func refLinear(_ x: [Double], n: Int, in k: Int, out m: Int, weight: [Double], bias: [Double]) -> [Double] {
  var y = [Double](repeating: 0, count: n * m)
  for s in 0..<n { for o in 0..<m {
    var acc = bias[o]
    for i in 0..<k { acc += weight[o * k + i] * x[s * k + i] }
    y[s * m + o] = acc
  } }
  return y
}

/// Naive Double 2x2 / stride-2 max pool (floor) on `planes` planes of `h x w`.
func refMaxPool2(_ x: [Double], planes: Int, h: Int, w: Int) -> [Double] {
  var y: [Double] = []
  for p in 0..<planes { for oy in 0..<h / 2 { for ox in 0..<w / 2 {
    let b = p * h * w + 2 * oy * w + 2 * ox
    y.append(max(max(x[b], x[b + 1]), max(x[b + w], x[b + w + 1])))
  } } }
  return y
}

/// Mean BCE with logits against a constant target, in Double (the textbook form).
func refBCE(_ z: [Double], _ t: Double) -> Double {
  z.reduce(0) { acc, v in acc - (t * log(1 / (1 + exp(-v))) + (1 - t) * log(1 - 1 / (1 + exp(-v)))) } / Double(z.count)
}

func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }

/// Every new layer of the GAN stage against Double central differences (tolerance `gradTolerance`).
@Suite struct GANGradientCheckTests {
  @Test(arguments: [(4, 2, 1, false, 6, 8), (4, 2, 1, false, 7, 5), (3, 1, 1, true, 5, 4), (3, 2, 0, true, 7, 6)])
  func stridedConvGradients(kernel: Int, stride: Int, padding: Int, bias: Bool, h: Int, w: Int) {
    var rng = SeededGenerator(seed: 21)
    let n = 2, c = 3, outC = 2
    let conv = StridedConv("c", in: c, out: outC, kernel: kernel, stride: stride, padding: padding, bias: bias)
    conv.weight.value = rng.floats(conv.weight.value.count)
    conv.bias?.value = rng.floats(outC)
    let x = FeatureBatch(n: n, c: c, h: h, w: w, data: rng.floats(n * c * h * w))
    let y = conv.forward(x)
    let xd = x.data.map(Double.init), wd = conv.weight.value.map(Double.init), bd = conv.bias?.value.map(Double.init)
    let ref = { (xv: [Double], wv: [Double], bv: [Double]?) in
      refConvGeneral(xv, n: n, c: c, h: h, w: w, weight: wv, bias: bv, outC: outC, kernel: kernel, stride: stride,
                     padding: padding)
    }
    let r = ref(xd, wd, bd)
    #expect(y.h == r.h && y.w == r.w)
    #expect(err(y.data, r.y) < gradTolerance)
    let g = rng.floats(y.count).map(Double.init)
    let dx = conv.backward(input: x, dy: FeatureBatch(n: n, c: outC, h: y.h, w: y.w, data: g.map(Float.init)),
                           needInput: true)!
    #expect(Deviation(dx.data, numericGradient(xd) { wsum(g, ref($0, wd, bd).y) }).error < gradTolerance)
    #expect(Deviation(conv.weight.grad, numericGradient(wd) { wsum(g, ref(xd, $0, bd).y) }).error < gradTolerance)
    if let bd {
      #expect(Deviation(conv.bias!.grad, numericGradient(bd) { wsum(g, ref(xd, wd, $0).y) }).error < gradTolerance)
    }
  }

  @Test func linearGradients() {
    var rng = SeededGenerator(seed: 22)
    let n = 3, k = 7, m = 4
    let layer = Linear("l", in: k, out: m)
    layer.weight.value = rng.floats(m * k); layer.bias.value = rng.floats(m)
    let x = FeatureBatch(n: n, c: 7, h: 1, w: 1, data: rng.floats(n * k))
    let xd = x.data.map(Double.init), wd = layer.weight.value.map(Double.init), bd = layer.bias.value.map(Double.init)
    let ref = { (xv: [Double], wv: [Double], bv: [Double]) in refLinear(xv, n: n, in: k, out: m, weight: wv, bias: bv) }
    #expect(err(layer.forward(x).data, ref(xd, wd, bd)) < gradTolerance)
    let g = rng.floats(n * m).map(Double.init)
    let dx = layer.backward(input: x, dy: FeatureBatch(n: n, c: m, h: 1, w: 1, data: g.map(Float.init)), needInput: true)!
    #expect(Deviation(dx.data, numericGradient(xd) { wsum(g, ref($0, wd, bd)) }).error < gradTolerance)
    #expect(Deviation(layer.weight.grad, numericGradient(wd) { wsum(g, ref(xd, $0, bd)) }).error < gradTolerance)
    #expect(Deviation(layer.bias.grad, numericGradient(bd) { wsum(g, ref(xd, wd, $0)) }).error < gradTolerance)
  }

  @Test func maxPoolGradient() {
    var rng = SeededGenerator(seed: 23)
    let (n, c, h, w) = (2, 3, 5, 4)  // odd height: the last row is dropped (floor)
    let x = FeatureBatch(n: n, c: c, h: h, w: w, data: rng.floats(n * c * h * w))
    let y = Kernels.maxPool2(x)
    let xd = x.data.map(Double.init)
    #expect(y.h == 2 && y.w == 2)
    #expect(err(y.data, refMaxPool2(xd, planes: n * c, h: h, w: w)) == 0)
    let g = rng.floats(y.count).map(Double.init)
    let dx = Kernels.maxPool2Backward(input: x, output: y, dy: FeatureBatch(n: n, c: c, h: 2, w: 2, data: g.map(Float.init)))
    #expect(err(dx.data, numericGradient(xd) { wsum(g, refMaxPool2($0, planes: n * c, h: h, w: w)) }) < gradTolerance)
  }

  /// Sigmoid + BCE, both GAN formulations, generator and discriminator terms (with BasicSR's
  /// detaching: the D terms are differentiated with respect to their own side only).
  @Test(arguments: GANLoss.Kind.allCases) func ganLossGradients(kind: GANLoss.Kind) {
    var rng = SeededGenerator(seed: 24)
    let real = rng.floats(5, in: -3...3), fake = rng.floats(5, in: -3...3)
    let r = real.map(Double.init), f = fake.map(Double.init)
    for t in [0.0, 1.0] {
      let (loss, grad) = GANLoss.bce(r, target: t)
      #expect(abs(loss - refBCE(r, t)) < 1e-12)
      #expect(err(grad.map(Float.init), numericGradient(r) { refBCE($0, t) }) < gradTolerance)
    }
    let gLoss = { (v: [Double]) -> Double in
      kind == .standard ? refBCE(v, 1) : (refBCE(r.map { $0 - mean(v) }, 0) + refBCE(v.map { $0 - mean(r) }, 1)) / 2
    }
    let g = GANLoss.generator(kind, real: real, fake: fake)
    #expect(abs(g.loss - gLoss(f)) < 1e-9)
    #expect(err(g.dFake, numericGradient(f, gLoss)) < gradTolerance)
    let scale = kind == .standard ? 1.0 : 0.5
    let dReal: ([Double]) -> Double = { v in scale * refBCE(kind == .standard ? v : v.map { $0 - mean(f) }, 1) }
    let dFake: ([Double]) -> Double = { v in scale * refBCE(kind == .standard ? v : v.map { $0 - mean(r) }, 0) }
    let d = GANLoss.discriminator(kind, real: real, fake: fake)
    #expect(abs(d.lossReal - dReal(r)) < 1e-9 && abs(d.lossFake - dFake(f)) < 1e-9)
    #expect(err(d.dReal, numericGradient(r, dReal)) < gradTolerance)
    #expect(err(d.dFake, numericGradient(f, dFake)) < gradTolerance)
  }

  /// A two-stage discriminator (nf 2, 16x16 input: conv0_0, conv0_1+bn0_1, conv1_0+bn1_0,
  /// conv1_1+bn1_1, linear1 to 5 units, linear2) against a Double composition of the references:
  /// training-mode BN inside the network, every parameter and the input.
  @Test func discriminatorGradients() throws {
    var rng = SeededGenerator(seed: 25)
    let n = 3, d = try VGGStyleDiscriminator(numFeat: 2, inputSize: 16, hidden: 5)
    #expect(d.halvings == 2 && d.tensors.map(\.name).prefix(3) == ["conv0_0.weight", "conv0_0.bias", "conv0_1.weight"])
    for p in d.parameters { p.value = rng.floats(p.value.count, in: -0.5...0.5) }
    for case let bn? in d.units.map(\.bn) { bn.weight.value = rng.floats(bn.channels, in: 0.5...1.5) }
    let x = FeatureBatch(n: n, c: 3, h: 16, w: 16, data: rng.floats(n * 768, in: 0...1))
    let values = Dictionary(uniqueKeysWithValues: d.parameters.map { ($0.name, $0.value.map(Double.init)) })
    let logits = d.forward(x)
    let ref = { (xv: [Double], v: [String: [Double]]) in Self.refDiscriminator(xv, n: n, d, v) }
    #expect(err(logits.data, ref(x.data.map(Double.init), values)) < gradTolerance)
    let g = rng.floats(n).map(Double.init)
    d.zeroGrad()
    _ = d.forward(x)
    let dx = d.backward(FeatureBatch(n: n, c: 1, h: 1, w: 1, data: g.map(Float.init)), needInput: true)!
    let xd = x.data.map(Double.init)
    #expect(Deviation(dx.data, numericGradient(xd) { wsum(g, ref($0, values)) }).error < gradTolerance)
    for p in d.parameters {
      var v = values
      let numeric = numericGradient(values[p.name]!) { v[p.name] = $0; return wsum(g, ref(xd, v)) }
      let dev = Deviation(p.grad, numeric)
      #expect(dev.error < gradTolerance, "\(p.name): \(dev)")
    }
  }

  static func refDiscriminator(_ x: [Double], n: Int, _ d: VGGStyleDiscriminator, _ v: [String: [Double]]) -> [Double] {
    var (t, c, h, w) = (x, 3, d.inputSize, d.inputSize)
    let lrelu = { (a: [Double]) in a.map { $0 >= 0 ? $0 : 0.2 * $0 } }
    for u in d.units {
      let conv = u.conv
      (t, h, w) = refConvGeneral(t, n: n, c: c, h: h, w: w, weight: v[conv.weight.name]!, bias: conv.bias.map { v[$0.name]! },
                                 outC: conv.outC, kernel: conv.kernel, stride: conv.stride, padding: conv.padding)
      c = conv.outC
      if let bn = u.bn {
        t = GradientCheckTests.refBN(t, n: n, c: c, plane: h * w, gamma: v[bn.weight.name]!, beta: v[bn.bias.name]!)
      }
      t = lrelu(t)
    }
    let hidden = lrelu(refLinear(t, n: n, in: c * h * w, out: d.hidden, weight: v["linear1.weight"]!, bias: v["linear1.bias"]!))
    return refLinear(hidden, n: n, in: d.hidden, out: 1, weight: v["linear2.weight"]!, bias: v["linear2.bias"]!)
  }

  /// Naive Double VGG trunk (3x3 same convs, ReLU, 2x2 pools) matching `VGGFeatures`' layout.
  static func refVGG(_ x: [Double], n: Int, c: Int, h: Int, w: Int, convs: [(weight: Tensor, bias: Tensor)],
                     poolBefore: [Bool], afterActivation: Bool) -> [Double] {
    var (t, c, h, w) = (x, c, h, w)
    for (i, conv) in convs.enumerated() {
      if poolBefore[i] { t = refMaxPool2(t, planes: n * c, h: h, w: w); h /= 2; w /= 2 }
      let outC = conv.weight.shape[0]
      t = refConvGeneral(t, n: n, c: c, h: h, w: w, weight: conv.weight.data.map(Double.init),
                         bias: conv.bias.data.map(Double.init), outC: outC, kernel: 3, stride: 1, padding: 1).y
      c = outC
      if i < convs.count - 1 || afterActivation { t = t.map { max($0, 0) } }
    }
    return t
  }

  /// VGG's backward to its input (adjoint convs, ReLU masks, pool routing), before and after the
  /// last ReLU, and the whole perceptual loss (normalisation, features, L1) with respect to SR.
  @Test(arguments: [false, true]) func vggBackwardToInput(afterActivation: Bool) {
    var rng = SeededGenerator(seed: 26)
    let shapes = [(2, 3), (3, 2), (2, 3)], poolBefore = [false, true, true]
    let convs = shapes.map { o, i in
      (weight: Tensor(shape: [o, i, 3, 3], data: rng.floats(o * i * 9, in: -0.5...0.5)), bias: Tensor(shape: [o], data: rng.floats(o)))
    }
    let vgg = VGGFeatures(convolutions: convs, poolBefore: poolBefore, afterActivation: afterActivation)
    let (n, h, w) = (2, 8, 6)
    let x = FeatureBatch(n: n, c: 3, h: h, w: w, data: rng.floats(n * 3 * h * w))
    let ref = { (v: [Double]) in
      Self.refVGG(v, n: n, c: 3, h: h, w: w, convs: convs, poolBefore: poolBefore, afterActivation: afterActivation)
    }
    let y = vgg.forward(x, keep: true)
    #expect(y.c == 2 && y.h == 2 && y.w == 1)
    #expect(err(y.data, ref(x.data.map(Double.init))) < gradTolerance)
    let g = rng.floats(y.count).map(Double.init)
    let dx = vgg.backward(FeatureBatch(n: n, c: y.c, h: y.h, w: y.w, data: g.map(Float.init)))
    #expect(Deviation(dx.data, numericGradient(x.data.map(Double.init)) { wsum(g, ref($0)) }).error < gradTolerance)

    // Perceptual loss: mean |VGG(norm(sr)) - VGG(norm(hr))|, gradient with respect to sr.
    let loss = PerceptualLoss(features: vgg)
    let sr = FeatureBatch(n: n, c: 3, h: h, w: w, data: rng.floats(n * 3 * h * w, in: 0...1))
    let hr = FeatureBatch(n: n, c: 3, h: h, w: w, data: rng.floats(n * 3 * h * w, in: 0...1))
    let norm = { (v: [Double]) in
      v.indices.map { i in (v[i] - Double(PerceptualLoss.mean[(i / (h * w)) % 3])) / Double(PerceptualLoss.std[(i / (h * w)) % 3]) }
    }
    let target = ref(norm(hr.data.map(Double.init)))
    let f = { (v: [Double]) in mean(zip(ref(norm(v)), target).map { abs($0 - $1) }) }
    let (value, grad) = loss(sr, hr)
    let srd = sr.data.map(Double.init)
    #expect(abs(value - f(srd)) < 1e-5)
    #expect(Deviation(grad.data, numericGradient(srd, f)).error < gradTolerance)
  }

  /// A perceptual loss tapped at two convs (the first and the last, weights 0.3 and 1), before or
  /// after their ReLU: value and gradient with respect to SR against Double finite differences of
  /// `Σ weight · mean |VGG_k(norm(sr)) - VGG_k(norm(hr))|`, each tap's features from the trunk cut there.
  @Test(arguments: [false, true]) func perceptualLossOverSeveralLayers(afterActivation: Bool) {
    var rng = SeededGenerator(seed: 27)
    let shapes = [(2, 3), (3, 2), (2, 3)], poolBefore = [false, true, true]
    let convs = shapes.map { o, i in
      (weight: Tensor(shape: [o, i, 3, 3], data: rng.floats(o * i * 9, in: -0.5...0.5)), bias: Tensor(shape: [o], data: rng.floats(o)))
    }
    let (taps, weights) = ([0, 2], [0.3, 1.0])
    let vgg = VGGFeatures(convolutions: convs, poolBefore: poolBefore, afterActivation: afterActivation, taps: taps)
    let loss = PerceptualLoss(features: vgg, weights: weights)
    let (n, h, w) = (2, 8, 6)
    let sr = FeatureBatch(n: n, c: 3, h: h, w: w, data: rng.floats(n * 3 * h * w, in: 0...1))
    let hr = FeatureBatch(n: n, c: 3, h: h, w: w, data: rng.floats(n * 3 * h * w, in: 0...1))
    let norm = { (v: [Double]) in
      v.indices.map { i in (v[i] - Double(PerceptualLoss.mean[(i / (h * w)) % 3])) / Double(PerceptualLoss.std[(i / (h * w)) % 3]) }
    }
    let tap = { (k: Int, v: [Double]) in
      Self.refVGG(norm(v), n: n, c: 3, h: h, w: w, convs: Array(convs[...taps[k]]), poolBefore: Array(poolBefore[...taps[k]]),
                  afterActivation: afterActivation)
    }
    let hrd = hr.data.map(Double.init)
    let f = { (v: [Double]) in
      (0..<taps.count).reduce(0.0) { acc, k in acc + weights[k] * mean(zip(tap(k, v), tap(k, hrd)).map { abs($0 - $1) }) }
    }
    let (value, grad) = loss(sr, hr)
    let srd = sr.data.map(Double.init)
    #expect(abs(value - f(srd)) < 1e-5)
    #expect(Deviation(grad.data, numericGradient(srd, f)).error < gradTolerance)
  }
}
