import Foundation
import SRConfig
import SRTensor
import Yams

/// A training recipe (YAML or JSON), e.g.
/// ```yaml
/// name: srresnet_bn_x4
/// architecture: {type: srresnet, num_feat: 64, num_block: 16, batch_norm: true, scale: 4}
/// data: {hr_folders: [train], hr_patch: 128, batch: 16, flips: true, rotations: true, validation: [val/baboon.png]}
/// loss: l1
/// optimizer: {lr: 2.0e-4, betas: [0.9, 0.999]}
/// schedule: {type: step, milestones: [200000], gamma: 0.5}
/// iterations: 1000
/// seed: 1
/// init: msra0.1
/// snapshot_interval: 500
/// validation_interval: 100
/// ```
public struct Recipe: Codable, Sendable, Equatable {
  /// Generator architecture and hyperparameters.
  public struct Architecture: Codable, Sendable, Equatable {
    /// `srresnet`, `rrdbnet` or `msrresnet`.
    public var type: String
    public var num_feat: Int
    public var num_block: Int
    public var num_grow_ch: Int?
    public var batch_norm: Bool?
    public var residual_scale: Float?
    public var scale: Int
    public init(type: String, num_feat: Int, num_block: Int, num_grow_ch: Int? = nil, batch_norm: Bool? = nil,
                residual_scale: Float? = nil, scale: Int) {
      self.type = type; self.num_feat = num_feat; self.num_block = num_block; self.num_grow_ch = num_grow_ch
      self.batch_norm = batch_norm; self.residual_scale = residual_scale; self.scale = scale
    }
  }

  /// Training data: HR folders of PNGs and patch sampling.
  public struct Data: Codable, Sendable, Equatable {
    public var hr_folders: [String]
    public var hr_patch: Int
    public var batch: Int
    public var flips: Bool?
    public var rotations: Bool?
    /// HR PNG files used for validation PSNR-Y (LR made by `Degrade.makeLR`).
    public var validation: [String]?
    public init(hr_folders: [String], hr_patch: Int, batch: Int, flips: Bool? = true, rotations: Bool? = true,
                validation: [String]? = nil) {
      self.hr_folders = hr_folders; self.hr_patch = hr_patch; self.batch = batch
      self.flips = flips; self.rotations = rotations; self.validation = validation
    }
  }

  /// Adam settings.
  public struct Optimizer: Codable, Sendable, Equatable {
    public var lr: Double
    public var betas: [Double]?
    public var weight_decay: Double?
    public init(lr: Double, betas: [Double]? = [0.9, 0.999], weight_decay: Double? = 0) {
      self.lr = lr; self.betas = betas; self.weight_decay = weight_decay
    }
  }

  /// Learning-rate schedule: `step` (milestones, gamma) or `cosine` (min_lr).
  public struct Schedule: Codable, Sendable, Equatable {
    public var type: String
    public var milestones: [Int]?
    public var gamma: Double?
    public var min_lr: Double?
    public init(type: String, milestones: [Int]? = nil, gamma: Double? = nil, min_lr: Double? = nil) {
      self.type = type; self.milestones = milestones; self.gamma = gamma; self.min_lr = min_lr
    }
  }

  public var name: String
  public var architecture: Architecture
  public var data: Data
  /// Only `l1` is supported.
  public var loss: String?
  public var optimizer: Optimizer
  public var schedule: Schedule?
  public var iterations: Int
  public var seed: UInt64
  /// `pytorch`, `msra` or `msra0.1`.
  public var `init`: InitScheme?
  public var snapshot_interval: Int?
  public var validation_interval: Int?
  /// Store checkpoints as fp16 (Adam state stays fp32).
  public var fp16: Bool?
  /// Number format of the convolutions' products: `fp32` (default) or `bf16` (bf16 products with
  /// fp32 accumulation, fp32 master weights and optimiser; where the CPU has no bf16 instructions
  /// the trainer says so in one line and runs fp32).
  public var precision: String?
  /// A generator checkpoint to start from instead of `init` (same architecture), e.g. the
  /// PSNR-stage model a GAN stage fine-tunes.
  public var pretrained: String?
  /// GAN stage (`Recipe+GAN.swift`): adversarial loss, perceptual loss, pixel-loss weight, discriminator.
  public var gan: GAN?
  public var perceptual: Perceptual?
  public var l1_weight: Double?
  public var discriminator: DiscriminatorSettings?

  /// Creates a recipe in code (files go through `parse` / `load`).
  public init(name: String, architecture: Architecture, data: Data, loss: String? = "l1", optimizer: Optimizer,
              schedule: Schedule? = nil, iterations: Int, seed: UInt64, init scheme: InitScheme? = .pytorch,
              snapshot_interval: Int? = nil, validation_interval: Int? = nil, fp16: Bool? = false,
              pretrained: String? = nil, gan: GAN? = nil, perceptual: Perceptual? = nil, l1_weight: Double? = nil,
              discriminator: DiscriminatorSettings? = nil) {
    self.name = name; self.architecture = architecture; self.data = data; self.loss = loss
    self.optimizer = optimizer; self.schedule = schedule; self.iterations = iterations; self.seed = seed
    self.`init` = scheme; self.snapshot_interval = snapshot_interval; self.validation_interval = validation_interval
    self.fp16 = fp16
    self.pretrained = pretrained; self.gan = gan; self.perceptual = perceptual; self.l1_weight = l1_weight
    self.discriminator = discriminator
  }

  /// Every key a recipe may hold; any other is an error naming it and the valid ones.
  public static let schema: KeySchema = .mapping([
    "name": .value, "loss": .value, "iterations": .value, "seed": .value, "init": .value,
    "snapshot_interval": .value, "validation_interval": .value, "fp16": .value, "precision": .value,
    "architecture": .mapping(["type": .value, "num_feat": .value, "num_block": .value, "num_grow_ch": .value,
                              "batch_norm": .value, "residual_scale": .value, "scale": .value]),
    "data": .mapping(["hr_folders": .value, "hr_patch": .value, "batch": .value, "flips": .value,
                      "rotations": .value, "validation": .value]),
    "optimizer": .mapping(["lr": .value, "betas": .value, "weight_decay": .value]),
    "schedule": .mapping(["type": .value, "milestones": .value, "gamma": .value, "min_lr": .value]),
  ].merging(ganSchema) { a, _ in a })

  /// Decodes YAML (a superset of JSON); `path` names the file in errors.
  public static func parse(_ text: String, path: String = "recipe") throws(TrainError) -> Recipe {
    let recipe: Recipe
    do { recipe = try StrictYAML.decode(Recipe.self, from: text, path: path, schema: schema) } catch {
      throw .recipe(error.description)
    }
    try recipe.validate()
    return recipe
  }

  /// Reads and validates a recipe file.
  public static func load(path: String) throws(TrainError) -> Recipe {
    let text: String
    do { text = try InputFile.readText(path) } catch { throw .recipe(error.description) }
    return try parse(text, path: path)
  }

  /// The recipe as YAML.
  public func yaml() throws -> String { try YAMLEncoder().encode(self) }

  /// The recipe as one line of JSON (sorted keys), as checkpoints store it; `parse` reads it back.
  public func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  /// The largest values a recipe may ask for: beyond them a CPU run would not fit in memory or time.
  public enum Limits {
    public static let numFeat = 512, numGrowCh = 512, numBlock = 64, batch = 1024, hrPatch = 1024
    public static let iterations = 100_000_000, scale = 8, interval = 100_000_000
  }

  /// Bytes of activations a training iteration keeps (forward caches and their gradients, 4-byte
  /// floats), estimated from the widest feature maps of each block; compared with `memoryBudget`.
  public var estimatedActivationBytes: Double {
    let a = architecture, d = data
    let lrPixels = Double(d.batch) * pow(Double(d.hr_patch) / Double(a.scale), 2)
    let nf = Double(a.num_feat), gc = Double(a.num_grow_ch ?? 32), nb = Double(a.num_block)
    let perBlock: Double
    switch a.type {
    case "rrdbnet": perBlock = 3 * (5 * nf + 10 * gc)  // three RDBs of five convs, inputs growing by gc
    default: perBlock = 2 * nf * ((a.batch_norm ?? false) ? 3 : 2)
    }
    let tail = 4 * nf * Double(a.scale * a.scale)  // upsampling at up to the HR size
    return lrPixels * (nb * perBlock + 4 * nf + tail) * 4 * 3 + ganActivationBytes
  }

  /// Three quarters of this machine's memory (or of the address-space limit, if smaller).
  public static var memoryBudget: Double { Double(MemoryBudget.machineDefault) }

  /// Checks ranges and combinations.
  public func validate() throws(TrainError) {
    let a = architecture, d = data
    guard ["srresnet", "rrdbnet", "msrresnet"].contains(a.type) else { throw .recipe("unknown architecture type \(a.type)") }
    func check(_ value: Int, _ field: String, _ range: ClosedRange<Int>) throws(TrainError) {
      guard range.contains(value) else { throw .recipe("\(field) must be \(range.lowerBound) to \(range.upperBound), not \(value)") }
    }
    try check(a.num_feat, "architecture.num_feat", 1...Limits.numFeat)
    try check(a.num_block, "architecture.num_block", 0...Limits.numBlock)
    if let gc = a.num_grow_ch { try check(gc, "architecture.num_grow_ch", 1...Limits.numGrowCh) }
    try check(a.scale, "architecture.scale", 1...Limits.scale)
    try check(d.batch, "data.batch", 1...Limits.batch)
    try check(d.hr_patch, "data.hr_patch", 1...Limits.hrPatch)
    try check(iterations, "iterations", 1...Limits.iterations)
    if let s = snapshot_interval { try check(s, "snapshot_interval", 1...Limits.interval) }
    if let v = validation_interval { try check(v, "validation_interval", 1...Limits.interval) }
    guard d.hr_patch % a.scale == 0 else { throw .recipe("data.hr_patch \(d.hr_patch) is not a multiple of the scale \(a.scale)") }
    _ = try ganSettings()
    let need = estimatedActivationBytes
    guard need <= Self.memoryBudget else {
      throw .recipe(String(format: "training needs about %.1f GB of activations (batch x patch x network), more than the budget of "
        + "%.1f GB (3/4 of this machine's memory or address-space limit); use a smaller batch, patch or network", need / 1e9, Self.memoryBudget / 1e9))
    }
    if a.type == "rrdbnet", d.hr_patch % 4 != 0 { throw .recipe("rrdbnet needs hr_patch divisible by 4") }
    guard !d.hr_folders.isEmpty else { throw .recipe("data.hr_folders is empty") }
    guard (loss ?? "l1") == "l1" else { throw .recipe("only the l1 loss is supported") }
    guard optimizer.lr > 0, (optimizer.betas ?? [0.9, 0.999]).count == 2 else { throw .recipe("optimizer needs lr > 0 and two betas") }
    if let s = schedule, !["step", "cosine", "constant"].contains(s.type) { throw .recipe("unknown schedule \(s.type)") }
    if let p = precision, !["fp32", "bf16"].contains(p) { throw .recipe("precision must be fp32 or bf16, not \(p)") }
    if let p = pretrained, p.isEmpty { throw .recipe("pretrained is empty") }
  }

  /// Builds the generator described by `architecture` (weights uninitialised).
  public func makeNetwork() throws(TrainError) -> TrainableNetwork {
    let a = architecture
    switch a.type {
    case "srresnet":
      return try TrainableNetwork.srresnet(numFeat: a.num_feat, numBlock: a.num_block, scale: a.scale, batchNorm: a.batch_norm ?? false)
    case "rrdbnet":
      return try TrainableNetwork.rrdbnet(numFeat: a.num_feat, numBlock: a.num_block, numGrow: a.num_grow_ch ?? 32,
                                  scale: a.scale, residualScale: a.residual_scale ?? 0.2)
    case "msrresnet":
      return try TrainableNetwork.msrresnet(numFeat: a.num_feat, numBlock: a.num_block, scale: a.scale)
    default:
      throw .recipe("unknown architecture type \(a.type)")
    }
  }

  /// Learning rate at 0-based iteration `it`.
  public func learningRate(at it: Int) -> Double {
    let base = optimizer.lr
    guard let s = schedule else { return base }
    switch s.type {
    case "step":
      let passed = (s.milestones ?? []).filter { it >= $0 }.count
      return base * pow(s.gamma ?? 0.5, Double(passed))
    case "cosine":
      let lo = s.min_lr ?? 0, t = Double(min(it, iterations)) / Double(iterations)
      return lo + 0.5 * (base - lo) * (1 + cos(Double.pi * t))
    default:
      return base
    }
  }
}
