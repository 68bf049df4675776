import Foundation

/// The adversarial losses on the discriminator's logits, as BasicSR computes them with
/// `GANLoss(gan_type='vanilla')` (binary cross-entropy with logits, mean over the batch):
///
/// - `standard` (SRGAN, BasicSR `SRGANModel`): G minimises BCE(D(x_f), 1); D minimises
///   BCE(D(x_r), 1) and BCE(D(x_f), 0).
/// - `ragan` (ESRGAN's relativistic average GAN, BasicSR `ESRGANModel`): with C = the logit,
///   G minimises ½·[BCE(C(x_r) − mean C(x_f), 0) + BCE(C(x_f) − mean C(x_r), 1)] with the real
///   logits detached; D minimises ½·BCE(C(x_r) − mean C(x_f), 1) with the fake logits detached,
///   plus ½·BCE(C(x_f) − mean C(x_r), 0) with the real logits detached (BasicSR backpropagates
///   the two halves separately, each with the other side's mean detached).
///
/// Values are unweighted (the trainer applies `gan.weight` to the generator's term, as BasicSR's
/// `loss_weight` applies to the generator only); sums run in Double.
enum GANLoss {
  /// The two formulations.
  enum Kind: String, Sendable, CaseIterable {
    case standard, ragan
  }

  /// Mean binary cross-entropy of logits `z` against the constant `target`, and its gradient
  /// `(σ(z) − target) / n`. Stable form `max(z, 0) − z·t + log(1 + e^{−|z|})`.
  static func bce(_ z: [Double], target: Double) -> (loss: Double, grad: [Double]) {
    let n = Double(z.count)
    var sum = 0.0
    var grad = [Double](repeating: 0, count: z.count)
    for (i, v) in z.enumerated() {
      sum += max(v, 0) - v * target + log1p(exp(-abs(v)))
      let sigmoid = v >= 0 ? 1 / (1 + exp(-v)) : exp(v) / (1 + exp(v))
      grad[i] = (sigmoid - target) / n
    }
    return (sum / n, grad)
  }

  /// The generator's adversarial loss and its gradient with respect to the fake logits
  /// (`real` is used by `ragan` only, and is treated as a constant).
  static func generator(_ kind: Kind, real: [Float], fake: [Float]) -> (loss: Double, dFake: [Float]) {
    let f = fake.map(Double.init)
    switch kind {
    case .standard:
      let (loss, g) = bce(f, target: 1)
      return (loss, g.map(Float.init))
    case .ragan:
      let r = real.map(Double.init)
      let meanR = mean(r), meanF = mean(f)
      let (lossReal, gReal) = bce(r.map { $0 - meanF }, target: 0)  // d/d(mean f) = −Σ gReal
      let (lossFake, gFake) = bce(f.map { $0 - meanR }, target: 1)
      let throughMean = -gReal.reduce(0, +) / Double(f.count)
      return ((lossReal + lossFake) / 2, gFake.map { Float(($0 + throughMean) / 2) })
    }
  }

  /// The discriminator's two terms, each with its gradient with respect to its own logits only
  /// (the other side detached).
  static func discriminator(_ kind: Kind, real: [Float], fake: [Float])
    -> (lossReal: Double, dReal: [Float], lossFake: Double, dFake: [Float]) {
    let r = real.map(Double.init), f = fake.map(Double.init)
    switch kind {
    case .standard:
      let (lr, gr) = bce(r, target: 1), (lf, gf) = bce(f, target: 0)
      return (lr, gr.map(Float.init), lf, gf.map(Float.init))
    case .ragan:
      let meanR = mean(r), meanF = mean(f)
      let (lr, gr) = bce(r.map { $0 - meanF }, target: 1), (lf, gf) = bce(f.map { $0 - meanR }, target: 0)
      return (lr / 2, gr.map { Float($0 / 2) }, lf / 2, gf.map { Float($0 / 2) })
    }
  }

  private static func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
}
