/// The perceptual loss of ESRGAN / BasicSR `PerceptualLoss` (criterion L1): the mean absolute
/// difference between VGG features of the SR output and of the HR target, the features taken at
/// one conv (ESRGAN) or at several with a weight each (BasicSR's `layer_weights`, as Real-ESRGAN
/// uses), all before or all after their ReLU. Inputs are RGB in [0, 1], normalised as
/// torchvision's VGG expects (`(x - mean) / std`, ImageNet mean and std) — BasicSR's
/// `use_input_norm=True, range_norm=False`. The HR features are constants (BasicSR detaches them).
final class PerceptualLoss: @unchecked Sendable {
  /// ImageNet mean and standard deviation per RGB channel (torchvision).
  static let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]

  let features: VGGFeatures
  /// The weight of each of `features.taps` (in that order).
  let weights: [Double]

  /// - Parameter weights: one per tap of `features` (default: 1 each).
  init(features: VGGFeatures, weights: [Double]? = nil) {
    self.features = features
    self.weights = weights ?? features.taps.map { _ in 1 }
    precondition(self.weights.count == features.taps.count, "PerceptualLoss: one weight per tap")
  }

  /// `(x - mean) / std` per channel of an NCHW RGB batch.
  static func normalised(_ x: FeatureBatch) -> FeatureBatch {
    precondition(x.c == 3, "PerceptualLoss: \(x.c) channels, expected RGB")
    var y = x
    for s in 0..<x.n {
      for c in 0..<3 {
        let base = (s * 3 + c) * x.plane, m = mean[c], d = std[c]
        for i in base..<base + x.plane { y.data[i] = (x.data[i] - m) / d }
      }
    }
    return y
  }

  /// The features of the deepest tap (of the normalised input).
  func features(of x: FeatureBatch, keep: Bool = false) -> FeatureBatch {
    features.forward(Self.normalised(x), keep: keep)
  }

  /// The loss (`Σ weight · mean |F(sr) - F(hr)|` over the taps) and its gradient with respect to `sr`.
  func callAsFunction(_ sr: FeatureBatch, _ hr: FeatureBatch) -> (loss: Double, grad: FeatureBatch) {
    let targets = features.tappedForward(Self.normalised(hr), keep: false)
    let outputs = features.tappedForward(Self.normalised(sr), keep: true)
    var loss = 0.0, dTaps: [FeatureBatch] = []
    for (k, w) in weights.enumerated() {
      let (l, d) = Kernels.l1(outputs[k], targets[k])
      loss += w * l
      dTaps.append(w == 1 ? d : Kernels.scaledAdd(d, d, alpha: Float(w), beta: 0))
    }
    var grad = features.backward(tapped: dTaps)
    for s in 0..<grad.n {
      for c in 0..<3 {
        let base = (s * 3 + c) * grad.plane, d = Self.std[c]
        for i in base..<base + grad.plane { grad.data[i] /= d }
      }
    }
    return (loss, grad)
  }
}
