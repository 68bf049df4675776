/// The perceptual loss of ESRGAN / BasicSR `PerceptualLoss` (criterion L1, one layer): the mean
/// absolute difference between VGG features of the SR output and of the HR target, the features
/// taken at one conv before or after its ReLU. Inputs are RGB in [0, 1], normalised as
/// torchvision's VGG expects (`(x - mean) / std`, ImageNet mean and std) — BasicSR's
/// `use_input_norm=True, range_norm=False`. The HR features are constants (BasicSR detaches them).
final class PerceptualLoss: @unchecked Sendable {
  /// ImageNet mean and standard deviation per RGB channel (torchvision).
  static let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]

  let features: VGGFeatures

  init(features: VGGFeatures) { self.features = features }

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

  /// The features the loss compares (of the normalised input).
  func features(of x: FeatureBatch, keep: Bool = false) -> FeatureBatch {
    features.forward(Self.normalised(x), keep: keep)
  }

  /// The loss (unweighted) and its gradient with respect to `sr`.
  func callAsFunction(_ sr: FeatureBatch, _ hr: FeatureBatch) -> (loss: Double, grad: FeatureBatch) {
    let target = features(of: hr)
    let (loss, dFeatures) = Kernels.l1(features(of: sr, keep: true), target)
    var grad = features.backward(dFeatures)
    for s in 0..<grad.n {
      for c in 0..<3 {
        let base = (s * 3 + c) * grad.plane, d = Self.std[c]
        for i in base..<base + grad.plane { grad.data[i] /= d }
      }
    }
    return (loss, grad)
  }
}
