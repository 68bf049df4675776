import SRFormats
import SRModels
import SRTensor

/// BasicSR's `VGGStyleDiscriminator` (basicsr/archs/discriminator_arch.py), keyed like it
/// (`conv0_0`, `conv0_1`, `bn0_1`, `conv1_0`, `bn1_0`, …, `linear1`, `linear2`), always run with
/// training-mode BatchNorm as BasicSR's GAN models do.
///
/// - conv0_0: 3x3 s1 with bias + LeakyReLU(0.2); conv0_1: 4x4 s2 p1 without bias + BN + LReLU;
/// - stage k = 1 ..< halvings: conv{k}_0 3x3 s1 and conv{k}_1 4x4 s2 p1, both without bias, each
///   followed by BN + LReLU, with `num_feat · min(2^k, 8)` channels;
/// - linear1 (`C · f · f -> 100`) + LReLU, linear2 (`100 -> 1`): one logit per sample.
///
/// `halvings` is the number of stride-2 convs: the most that keep the HR patch divisible and the
/// final map at least 4x4 (`halvings(forPatch:)`). For 128 (5 stages) and 256 (6, with
/// conv5_0/conv5_1) this is BasicSR's network exactly; for a 32 px patch it is stages 0...2 and
/// a 4x4 map of `4 · num_feat` channels.
public final class VGGStyleDiscriminator: @unchecked Sendable {
  static let slope: Float = 0.2

  /// A convolution, optional training-mode BatchNorm and LeakyReLU(0.2), caching for backward.
  final class Unit {
    let conv: StridedConv
    let bn: BatchNorm?
    private var input, output: FeatureBatch?

    init(conv: StridedConv, bn: BatchNorm?) { self.conv = conv; self.bn = bn }

    var tensors: [Parameter] { conv.parameters + (bn.map { $0.parameters + $0.buffers } ?? []) }

    func forward(_ x: FeatureBatch) -> FeatureBatch {
      var y = conv.forward(x)
      if let bn { y = bn.forward(y, training: true) }
      y = Kernels.leaky(y, slope: VGGStyleDiscriminator.slope)
      input = x; output = y
      return y
    }

    func backward(_ dy: FeatureBatch, needInput: Bool) -> FeatureBatch? {
      guard let x = input, let y = output else { preconditionFailure("discriminator backward before forward") }
      var d = Kernels.leakyBackward(output: y, dy: dy, slope: VGGStyleDiscriminator.slope)
      if let bn { d = bn.backward(d) }
      return conv.backward(input: x, dy: d, needInput: needInput)
    }
  }

  /// Base width, input side, stride-2 stages and hidden units of `linear1`.
  public let numFeat, inputSize, halvings, hidden: Int
  let units: [Unit]
  let linear1, linear2: Linear
  private var flat, hiddenOutput: FeatureBatch?

  /// Stride-2 convs for an `patch` x `patch` input: the largest `s` with `patch` divisible by `2^s`
  /// and `patch / 2^s >= 4`; nil when there is none (`patch` odd or below 8).
  public static func halvings(forPatch patch: Int) -> Int? {
    var s = 0
    while patch % (1 << (s + 1)) == 0, patch >> (s + 1) >= 4 { s += 1 }
    return s >= 1 ? s : nil
  }

  /// Builds the network for `inputSize` x `inputSize` RGB patches (weights zero until `initialise`).
  /// - Throws: `TrainError.recipe` when `inputSize` has no stride-2 stage count (see `halvings`).
  public init(numFeat nf: Int, inputSize: Int, inChannels: Int = 3, hidden: Int = 100) throws(TrainError) {
    guard let s = Self.halvings(forPatch: inputSize) else {
      throw .recipe("the discriminator needs data.hr_patch even and at least 8, not \(inputSize)")
    }
    numFeat = nf; self.inputSize = inputSize; halvings = s; self.hidden = hidden
    var units = [Unit(conv: StridedConv("conv0_0", in: inChannels, out: nf, kernel: 3, stride: 1, padding: 1, bias: true),
                      bn: nil),
                 Unit(conv: StridedConv("conv0_1", in: nf, out: nf, kernel: 4, stride: 2, padding: 1, bias: false),
                      bn: BatchNorm("bn0_1", channels: nf))]
    var c = nf
    for k in 1..<s {
      let out = nf * min(1 << k, 8)
      units.append(Unit(conv: StridedConv("conv\(k)_0", in: c, out: out, kernel: 3, stride: 1, padding: 1, bias: false),
                        bn: BatchNorm("bn\(k)_0", channels: out)))
      units.append(Unit(conv: StridedConv("conv\(k)_1", in: out, out: out, kernel: 4, stride: 2, padding: 1, bias: false),
                        bn: BatchNorm("bn\(k)_1", channels: out)))
      c = out
    }
    self.units = units
    let side = inputSize >> s
    linear1 = Linear("linear1", in: c * side * side, out: hidden)
    linear2 = Linear("linear2", in: hidden, out: 1)
  }

  /// Learnable tensors then BN buffers, in BasicSR's state-dict order (no `num_batches_tracked`).
  public var tensors: [Parameter] { units.flatMap(\.tensors) + linear1.parameters + linear2.parameters }
  /// Learnable parameters only.
  public var parameters: [Parameter] { tensors.filter { !$0.isBuffer } }

  /// What the checkpoint says about this network.
  public var metadata: [String: String] {
    ["architecture": "VGGStyleDiscriminator", "num_feat": "\(numFeat)", "input_size": "\(inputSize)",
     "halvings": "\(halvings)"]
  }

  /// PyTorch's default initialisation (U(±1/√fan_in) for conv and linear weights and biases), as
  /// BasicSR leaves the discriminator; BN γ=1, β=0.
  func initialise(rng: inout TrainRNG) { tensors.initialise(.pytorch, rng: &rng) }

  /// Zeroes every gradient.
  func zeroGrad() { for p in tensors { p.zeroGrad() } }

  /// One logit per sample, `[n, 1, 1, 1]`, for `[n, 3, inputSize, inputSize]` images; keeps what
  /// `backward` needs (BN uses batch statistics and updates its running ones).
  func forward(_ x: FeatureBatch) -> FeatureBatch {
    precondition(x.h == inputSize && x.w == inputSize, "discriminator: \(x.h)x\(x.w) input, built for \(inputSize)")
    var h = x
    for u in units { h = u.forward(h) }
    flat = h
    let a = Kernels.leaky(linear1.forward(h), slope: Self.slope)
    hiddenOutput = a
    return linear2.forward(a)
  }

  /// Back-propagates `dLogits` through the last `forward`, accumulating parameter gradients;
  /// returns the gradient with respect to the images when `needInput`.
  func backward(_ dLogits: FeatureBatch, needInput: Bool) -> FeatureBatch? {
    guard let flat, let a = hiddenOutput else { preconditionFailure("discriminator backward before forward") }
    var d = linear2.backward(input: a, dy: dLogits, needInput: true)!
    d = Kernels.leakyBackward(output: a, dy: d, slope: Self.slope)
    var g = linear1.backward(input: flat, dy: d, needInput: true)  // in the shape of `flat`
    for (i, u) in units.enumerated().reversed() {
      g = u.backward(g!, needInput: i > 0 || needInput)
    }
    return g
  }
}
