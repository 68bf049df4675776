import Foundation
import SRConfig

/// The GAN stage's recipe keys (ESRGAN stage 2, BasicSR `train_ESRGAN_x4.yml`), e.g.
/// ```yaml
/// pretrained: ../rrdb/iter_9000.safetensors
/// gan: {type: ragan, weight: 5.0e-3}
/// perceptual: {network: vgg16, layer: conv5_3, activation: before, weight: 1.0}
/// l1_weight: 1.0e-2
/// discriminator: {num_feat: 64, lr: 1.0e-4, betas: [0.9, 0.99]}
/// ```
/// Every key but `gan` may be left out (the values above are the defaults; `pretrained` has none).
extension Recipe {
  /// `gan`: the adversarial loss, `standard` (SRGAN) or `ragan` (ESRGAN), and its weight.
  public struct GAN: Codable, Sendable, Equatable {
    public var type: String?
    public var weight: Double?
    public init(type: String? = "ragan", weight: Double? = 5e-3) { self.type = type; self.weight = weight }
  }

  /// `perceptual`: L1 between VGG features of SR and HR at `layer` (ESRGAN), or at each layer of
  /// `layer_weights` with its weight (BasicSR's key, e.g. Real-ESRGAN's `{conv1_2: 0.1, conv2_2:
  /// 0.1, conv3_3: 1, conv4_3: 1, conv5_3: 1}`), `before` or `after` the ReLU; `weight` scales the sum.
  public struct Perceptual: Codable, Sendable, Equatable {
    public var network: String?
    public var layer: String?
    public var layer_weights: [String: Double]?
    public var activation: String?
    public var weight: Double?
    public init(network: String? = "vgg16", layer: String? = "conv5_3", layer_weights: [String: Double]? = nil,
                activation: String? = "before", weight: Double? = 1) {
      self.network = network; self.layer = layer; self.layer_weights = layer_weights
      self.activation = activation; self.weight = weight
    }
  }

  /// `discriminator`: VGG-style discriminator width and its Adam settings.
  public struct DiscriminatorSettings: Codable, Sendable, Equatable {
    public var num_feat: Int?
    public var lr: Double?
    public var betas: [Double]?
    public init(num_feat: Int? = 64, lr: Double? = 1e-4, betas: [Double]? = [0.9, 0.99]) {
      self.num_feat = num_feat; self.lr = lr; self.betas = betas
    }
  }

  /// The recipe keys this file adds (merged into `Recipe.schema`).
  static let ganSchema: [String: KeySchema] = [
    "pretrained": .value, "l1_weight": .value,
    "gan": .mapping(["type": .value, "weight": .value]),
    "perceptual": .mapping(["network": .value, "layer": .value, "layer_weights": .value, "activation": .value,
                             "weight": .value]),
    "discriminator": .mapping(["num_feat": .value, "lr": .value, "betas": .value]),
  ]

  /// The GAN stage's settings with the defaults filled in, checked; nil without `gan`.
  /// - Throws: `TrainError.recipe` naming the key of the first bad value.
  func ganSettings() throws(TrainError) -> GANSettings? {
    guard let gan else {
      let stray = [("perceptual", perceptual != nil), ("l1_weight", l1_weight != nil),
                   ("discriminator", discriminator != nil)].filter(\.1).map(\.0)
      if let key = stray.first { throw .recipe("\(key) belongs to the GAN stage: add gan: {type: ragan} or remove \(key)") }
      return nil
    }
    let p = perceptual ?? Perceptual(), d = discriminator ?? DiscriminatorSettings()
    guard let kind = GANLoss.Kind(rawValue: gan.type ?? "ragan") else {
      throw .recipe("gan.type must be standard or ragan, not '\(gan.type ?? "")'")
    }
    guard (p.network ?? "vgg16") == "vgg16" else {
      throw .recipe("perceptual.network must be vgg16 (the weights SRScope has), not '\(p.network ?? "")'")
    }
    if p.layer != nil && p.layer_weights != nil {
      throw .recipe("perceptual: give layer or layer_weights, not both")
    }
    let layerWeights = p.layer_weights ?? [p.layer ?? "conv5_3": 1]
    guard !layerWeights.isEmpty else { throw .recipe("perceptual.layer_weights must name at least one layer") }
    var index = 0
    for (layer, w) in layerWeights.sorted(by: { $0.key < $1.key }) {
      guard let i = VGGFeatures.vgg16Layers.firstIndex(of: layer) else {
        let key = p.layer_weights == nil ? "perceptual.layer" : "perceptual.layer_weights keys"
        throw .recipe("\(key) must be one of \(VGGFeatures.vgg16Layers.joined(separator: ", ")), not '\(layer)'")
      }
      _ = try Self.weight(w, "perceptual.layer_weights.\(layer)")
      index = max(index, i)
    }
    let layer = VGGFeatures.vgg16Layers[index]
    guard ["before", "after"].contains(p.activation ?? "before") else {
      throw .recipe("perceptual.activation must be before or after, not '\(p.activation ?? "")'")
    }
    let settings = GANSettings(
      kind: kind, ganWeight: try Self.weight(gan.weight ?? 5e-3, "gan.weight"), perceptualLayer: layer,
      perceptualLayerWeights: p.layer_weights, perceptualAfterActivation: p.activation == "after",
      perceptualWeight: try Self.weight(p.weight ?? 1, "perceptual.weight"),
      pixelWeight: try Self.weight(l1_weight ?? 1e-2, "l1_weight"),
      discriminatorFeatures: d.num_feat ?? 64, discriminatorLR: d.lr ?? 1e-4, discriminatorBetas: d.betas ?? [0.9, 0.99])
    guard (1...Limits.numFeat).contains(settings.discriminatorFeatures) else {
      throw .recipe("discriminator.num_feat must be 1 to \(Limits.numFeat), not \(settings.discriminatorFeatures)")
    }
    guard settings.discriminatorLR > 0, settings.discriminatorLR.isFinite else {
      throw .recipe("discriminator.lr must be a finite number > 0, not \(settings.discriminatorLR)")
    }
    let betas = settings.discriminatorBetas
    guard betas.count == 2, betas.allSatisfy({ (0..<1).contains($0) }) else {
      throw .recipe("discriminator.betas must be two numbers in [0, 1), not \(betas)")
    }
    guard VGGStyleDiscriminator.halvings(forPatch: data.hr_patch) != nil else {
      throw .recipe("gan needs data.hr_patch even and at least 8 (the discriminator halves it), not \(data.hr_patch)")
    }
    let pools = VGGFeatures.vgg16PoolBefore[...index].filter { $0 }.count
    guard data.hr_patch >= 1 << pools else {
      throw .recipe("perceptual.layer \(layer) needs data.hr_patch >= \(1 << pools), not \(data.hr_patch)")
    }
    return settings
  }

  /// `value` if it is a finite number >= 0, else an error naming `key`.
  private static func weight(_ value: Double, _ key: String) throws(TrainError) -> Double {
    guard value >= 0, value.isFinite else { throw .recipe("\(key) must be a finite number >= 0, not \(value)") }
    return value
  }

  /// The discriminator's learning rate at 0-based iteration `it`: `discriminator.lr` scaled by the
  /// recipe's schedule as the generator's is (BasicSR steps one scheduler per optimizer).
  func discriminatorLearningRate(_ settings: GANSettings, at it: Int) -> Double {
    settings.discriminatorLR * learningRate(at: it) / optimizer.lr
  }

  /// Activation bytes the GAN stage adds (discriminator on two batches, VGG kept for one), in the
  /// terms of `estimatedActivationBytes`; 0 without `gan`.
  var ganActivationBytes: Double {
    guard gan != nil else { return 0 }
    let hrPixels = Double(data.batch * data.hr_patch * data.hr_patch)
    let nf = Double(discriminator?.num_feat ?? 64)
    // Per HR pixel: the discriminator's stage outputs (each map kept about 4 times: input, BN,
    // activation, gradient; widths nf, 2nf/4, 4nf/16, … sum below 2nf) for two batches, and VGG16's
    // maps to conv5_3 kept about 3 times (64·2 + 128·2/4 + 256·3/16 + 512·3/64 + 512·3/256 ≈ 248).
    let discriminatorMaps: Double = 4 * 2 * nf
    let vggMaps: Double = 3 * 248
    return hrPixels * (2 * discriminatorMaps + vggMaps + 18) * 4
  }
}

/// The resolved GAN-stage settings (`Recipe.ganSettings()`).
struct GANSettings: Sendable, Equatable {
  var kind: GANLoss.Kind
  var ganWeight: Double
  /// The deepest layer of the perceptual loss (its only one without `perceptualLayerWeights`).
  var perceptualLayer: String
  /// `perceptual.layer_weights`, if given.
  var perceptualLayerWeights: [String: Double]? = nil
  var perceptualAfterActivation: Bool
  var perceptualWeight: Double
  var pixelWeight: Double
  var discriminatorFeatures: Int
  var discriminatorLR: Double
  var discriminatorBetas: [Double]
}
