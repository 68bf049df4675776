import Foundation
import Testing
import SRFormats
import SRTensor
import SRTestSupport
@testable import SRTrain

extension Recipe {
  /// `tiny` (RRDBNet nf 4, x4, 16 px HR patches, batch 4) with the GAN stage: RaGAN, a discriminator
  /// of width 4, VGG16 conv5_3 before ReLU at `perceptualWeight` (0: VGG is not loaded).
  static func tinyGAN(folder: String, iterations: Int, perceptualWeight: Double, pretrained: String? = nil) -> Recipe {
    var r = Recipe.tiny(type: "rrdbnet", folder: folder, iterations: iterations)
    r.schedule = .init(type: "step", milestones: [2], gamma: 0.5)  // independent of `iterations`
    r.pretrained = pretrained
    r.gan = .init(type: "ragan", weight: 5e-3)
    r.perceptual = .init(weight: perceptualWeight)
    r.l1_weight = 1e-2
    r.discriminator = .init(num_feat: 4, lr: 1e-3)
    r.snapshot_interval = 2
    return r
  }
}

/// Tensors of a state file (its metadata holds the wall time, which differs between runs).
func stateTensors(_ folder: String, _ n: Int) throws -> [String: Tensor] {
  try Safetensors.read(try InputFile.read(Checkpoint.statePath(folder, n))).tensors
}

@Suite(.serialized) struct GANStageTests {
  /// Same seed: bit-identical generator checkpoints, discriminators and both Adam states on 1 or 2
  /// threads, and 4 straight iterations equal 2 + resume 2; the run starts from a pretrained PSNR
  /// checkpoint and logs the GAN columns.
  func checkDeterminism(perceptualWeight: Double, tag: String) throws {
    let dir = try syntheticFolder(tag)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    _ = try Trainer.run(recipe: .tiny(type: "rrdbnet", folder: dir + "/hr", iterations: 2), runFolder: dir + "/psnr",
                        resume: false, threads: 2, commandLine: ["t"])
    let recipe = Recipe.tinyGAN(folder: dir + "/hr", iterations: 4, perceptualWeight: perceptualWeight,
                                pretrained: Checkpoint.weightsPath(dir + "/psnr", 2))
    _ = try Trainer.run(recipe: recipe, runFolder: dir + "/a", resume: false, threads: 2, commandLine: ["t"])
    _ = try Trainer.run(recipe: recipe, runFolder: dir + "/b", resume: false, threads: 1, commandLine: ["t"])
    var short = recipe; short.iterations = 2
    _ = try Trainer.run(recipe: short, runFolder: dir + "/c", resume: false, threads: 2, commandLine: ["t"])
    let resumed = try Trainer.run(recipe: recipe, runFolder: dir + "/c", resume: true, threads: 2, commandLine: ["t"])
    #expect(resumed.iteration == 4)
    let bytes = { (run: String) in FileManager.default.contents(atPath: Checkpoint.weightsPath(dir + "/" + run, 4)) }
    #expect(bytes("a") != nil && bytes("a") == bytes("b") && bytes("a") == bytes("c"))
    let a = try stateTensors(dir + "/a", 4)
    #expect(a.keys.contains("net_d.param.conv0_0.weight") && a.keys.contains("net_d.adam.linear2.bias.exp_avg_sq"))
    #expect(a.keys.contains("net_d.param.bn1_1.running_var"))
    #expect(try stateTensors(dir + "/b", 4) == a)
    #expect(try stateTensors(dir + "/c", 4) == a)
    let meta = try Safetensors.read(try InputFile.read(Checkpoint.weightsPath(dir + "/a", 4))).metadata
    #expect(meta["pretrained"] == recipe.pretrained && meta["init"] == nil)
    // The run moved away from its pretrained start.
    #expect(bytes("a") != FileManager.default.contents(atPath: Checkpoint.weightsPath(dir + "/psnr", 2)))
    let log = try String(contentsOfFile: dir + "/c/log.csv", encoding: .utf8).split(separator: "\n")
    #expect(log.count == 5)
    #expect(log[0] == "iteration,loss,lr,val_psnr_y,val_ssim_y,seconds,l_g_pix,l_g_percep,l_g_gan,l_d_real,l_d_fake,out_d_real,out_d_fake")
    #expect(log[1].split(separator: ",", omittingEmptySubsequences: false).count == 13)
  }

  @Test func deterministicAndResumableWithoutVGG() throws {
    try checkDeterminism(perceptualWeight: 0, tag: "gan-det")
  }

  @Test(.enabled(if: hasVGGWeights, "needs lpips/vgg16.ckpt")) func deterministicAndResumableWithVGG() throws {
    try checkDeterminism(perceptualWeight: 1, tag: "gan-det-vgg")
  }

  /// Every checkpoint carries the whole recipe as JSON under `recipe`, which parses back to it (as
  /// the run folder's `recipe.yaml` does).
  @Test func checkpointsStoreTheRecipe() throws {
    let dir = try syntheticFolder("recipe-json")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var psnr = Recipe.tiny(type: "srresnet", folder: dir + "/hr", iterations: 1)
    psnr.data.validation = [dir + "/hr/0.png"]
    let gan = Recipe.tinyGAN(folder: dir + "/hr", iterations: 1, perceptualWeight: 0)
    for (run, recipe) in [("psnr", psnr), ("gan", gan)] {
      _ = try Trainer.run(recipe: recipe, runFolder: dir + "/" + run, resume: false, threads: 1, commandLine: ["t"])
      let meta = try Safetensors.read(try InputFile.read(Checkpoint.weightsPath(dir + "/" + run, 1))).metadata
      let json = try #require(meta["recipe"])
      #expect(!json.contains("\n"))
      #expect(try Recipe.parse(json) == recipe)
      #expect(try Recipe.parse(try String(contentsOfFile: dir + "/\(run)/recipe.yaml", encoding: .utf8)) == recipe)
    }
  }

  @Test func pretrainedMustMatchTheArchitecture() throws {
    let dir = try syntheticFolder("pretrained")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var small = Recipe.tiny(type: "rrdbnet", folder: dir + "/hr", iterations: 1)
    small.architecture.num_block = 2
    _ = try Trainer.run(recipe: small, runFolder: dir + "/run", resume: false, threads: 1, commandLine: ["t"])
    let path = Checkpoint.weightsPath(dir + "/run", 1)
    let same = try small.makeNetwork()
    try PretrainedWeights.load(path, into: same)
    #expect(same.stateDict().tensors == (try Safetensors.read(try InputFile.read(path))).tensors)
    #expect(throws: TrainError.recipe("pretrained \(path) is not the recipe's RRDBNet: it has tensor body.1.rdb1.conv1.bias, "
      + "which the recipe's network does not")) {
      try PretrainedWeights.load(path, into: try TrainableNetwork.rrdbnet(numFeat: 4, numBlock: 1, numGrow: 2, scale: 4))
    }
    #expect(throws: TrainError.recipe("pretrained \(path) is not the recipe's RRDBNet: tensor conv_first.weight has shape "
      + "[4, 3, 3, 3], expected [8, 3, 3, 3]")) {
      try PretrainedWeights.load(path, into: try TrainableNetwork.rrdbnet(numFeat: 8, numBlock: 2, numGrow: 2, scale: 4))
    }
    #expect(throws: TrainError.recipe("pretrained \(path) has residual_scale 0.2, the recipe's network 1.0")) {
      try PretrainedWeights.load(path, into: try TrainableNetwork.rrdbnet(numFeat: 4, numBlock: 2, numGrow: 2, scale: 4, residualScale: 1))
    }
    let error = #expect(throws: TrainError.self) { try PretrainedWeights.load(dir + "/missing.safetensors", into: same) }
    #expect("\(error!)".hasPrefix("recipe: pretrained: \(dir)/missing.safetensors: "))
    // The trainer checks it before writing anything.
    let gan = Recipe.tinyGAN(folder: dir + "/hr", iterations: 1, perceptualWeight: 0, pretrained: path)
    #expect(throws: TrainError.recipe("pretrained \(path) is not the recipe's RRDBNet: it has tensor body.1.rdb1.conv1.bias, "
      + "which the recipe's network does not")) {
      try Trainer.run(recipe: gan, runFolder: dir + "/gan", resume: false, threads: 1, commandLine: ["t"])
    }
    #expect(!FileManager.default.fileExists(atPath: dir + "/gan"))
  }

  /// BasicSR's key names and shapes for a 128 px patch; the stage count for other patches.
  @Test func discriminatorLayout() throws {
    let d = try VGGStyleDiscriminator(numFeat: 64, inputSize: 128)
    var expected: [(String, [Int])] = [("conv0_0.weight", [64, 3, 3, 3]), ("conv0_0.bias", [64]), ("conv0_1.weight", [64, 64, 4, 4])]
    expected += ["weight", "bias", "running_mean", "running_var"].map { ("bn0_1." + $0, [64]) }
    for (k, (cin, c)) in [(64, 128), (128, 256), (256, 512), (512, 512)].enumerated() {
      expected.append(("conv\(k + 1)_0.weight", [c, cin, 3, 3]))
      expected += ["weight", "bias", "running_mean", "running_var"].map { ("bn\(k + 1)_0." + $0, [c]) }
      expected.append(("conv\(k + 1)_1.weight", [c, c, 4, 4]))
      expected += ["weight", "bias", "running_mean", "running_var"].map { ("bn\(k + 1)_1." + $0, [c]) }
    }
    expected += [("linear1.weight", [100, 512 * 4 * 4]), ("linear1.bias", [100]), ("linear2.weight", [1, 100]), ("linear2.bias", [1])]
    #expect(d.tensors.map(\.name) == expected.map(\.0))
    #expect(d.tensors.map(\.shape) == expected.map(\.1))
    for (patch, s) in [(128, 5), (256, 6), (32, 3), (16, 2), (8, 1), (96, 4), (48, 3), (100, 2)] {
      #expect(VGGStyleDiscriminator.halvings(forPatch: patch) == s, "patch \(patch)")
    }
    #expect(VGGStyleDiscriminator.halvings(forPatch: 6) == nil && VGGStyleDiscriminator.halvings(forPatch: 33) == nil)
    let d32 = try VGGStyleDiscriminator(numFeat: 8, inputSize: 32)
    #expect(d32.tensors.last { $0.name == "linear1.weight" }?.shape == [100, 32 * 4 * 4])
    #expect(d32.forward(FeatureBatch(n: 2, c: 3, h: 32, w: 32)).count == 2)
  }

  static let base = """
    name: g
    architecture: {type: rrdbnet, num_feat: 8, num_block: 1, num_grow_ch: 4, scale: 4}
    data: {hr_folders: [x], hr_patch: 32, batch: 2}
    optimizer: {lr: 1.0e-4, betas: [0.9, 0.99]}
    iterations: 10
    seed: 1
    """

  @Test func ganRecipeKeys() throws {
    let r = try Recipe.parse(Self.base + """

      pretrained: ../rrdb/iter_9000.safetensors
      gan: {type: standard, weight: 1.0e-3}
      perceptual: {network: vgg16, layer: conv4_3, activation: after, weight: 0.5}
      l1_weight: 0.1
      discriminator: {num_feat: 32, lr: 2.0e-4, betas: [0.5, 0.999]}
      """)
    #expect(r.pretrained == "../rrdb/iter_9000.safetensors")
    #expect(try r.ganSettings() == GANSettings(
      kind: .standard, ganWeight: 1e-3, perceptualLayer: "conv4_3", perceptualAfterActivation: true, perceptualWeight: 0.5,
      pixelWeight: 0.1, discriminatorFeatures: 32, discriminatorLR: 2e-4, discriminatorBetas: [0.5, 0.999]))
    // ESRGAN's values are the defaults.
    #expect(try Recipe.parse(Self.base + "\ngan: {}").ganSettings() == GANSettings(
      kind: .ragan, ganWeight: 5e-3, perceptualLayer: "conv5_3", perceptualAfterActivation: false, perceptualWeight: 1,
      pixelWeight: 1e-2, discriminatorFeatures: 64, discriminatorLR: 1e-4, discriminatorBetas: [0.9, 0.99]))
    #expect(try Recipe.parse(Self.base).ganSettings() == nil)
  }

  @Test(arguments: [
    ("gan: {type: wgan}", "gan.type must be standard or ragan, not 'wgan'"),
    ("gan: {weight: -1}", "gan.weight must be a finite number >= 0, not -1.0"),
    ("gan: {}\nperceptual: {network: vgg19}", "perceptual.network must be vgg16 (the weights SRScope has), not 'vgg19'"),
    ("gan: {}\nperceptual: {layer: conv5_4}", "perceptual.layer must be one of conv1_1, conv1_2, conv2_1, conv2_2, conv3_1, "
      + "conv3_2, conv3_3, conv4_1, conv4_2, conv4_3, conv5_1, conv5_2, conv5_3, not 'conv5_4'"),
    ("gan: {}\nperceptual: {layer_weights: {conv3_3: 1, conv5_4: 1}}", "perceptual.layer_weights keys must be one of conv1_1, "
      + "conv1_2, conv2_1, conv2_2, conv3_1, conv3_2, conv3_3, conv4_1, conv4_2, conv4_3, conv5_1, conv5_2, conv5_3, not 'conv5_4'"),
    ("gan: {}\nperceptual: {layer_weights: {conv3_3: -1}}", "perceptual.layer_weights.conv3_3 must be a finite number >= 0, not -1.0"),
    ("gan: {}\nperceptual: {layer_weights: {}}", "perceptual.layer_weights must name at least one layer"),
    ("gan: {}\nperceptual: {layer: conv5_3, layer_weights: {conv3_3: 1}}", "perceptual: give layer or layer_weights, not both"),
    ("gan: {}\nperceptual: {activation: during}", "perceptual.activation must be before or after, not 'during'"),
    ("gan: {}\nperceptual: {weight: .nan}", "perceptual.weight must be a finite number >= 0, not nan"),
    ("gan: {}\nl1_weight: -0.5", "l1_weight must be a finite number >= 0, not -0.5"),
    ("gan: {}\ndiscriminator: {num_feat: 0}", "discriminator.num_feat must be 1 to 512, not 0"),
    ("gan: {}\ndiscriminator: {lr: 0}", "discriminator.lr must be a finite number > 0, not 0.0"),
    ("gan: {}\ndiscriminator: {betas: [0.9]}", "discriminator.betas must be two numbers in [0, 1), not [0.9]"),
    ("perceptual: {weight: 1}", "perceptual belongs to the GAN stage: add gan: {type: ragan} or remove perceptual"),
    ("l1_weight: 1", "l1_weight belongs to the GAN stage: add gan: {type: ragan} or remove l1_weight"),
    ("pretrained: ''", "pretrained is empty"),
  ])
  func badGANValuesNameTheKey(line: String, message: String) {
    #expect(throws: TrainError.recipe(message)) { try Recipe.parse(Self.base + "\n" + line) }
  }

  /// `layer_weights` (BasicSR's key): every layer with its weight; the deepest one bounds the patch.
  @Test func perceptualLayerWeights() throws {
    let line = "gan: {}\nperceptual: {layer_weights: {conv1_2: 0.1, conv3_3: 1, conv4_3: 0.5}, activation: after}"
    let s = try #require(try Recipe.parse(Self.base + "\n" + line).ganSettings())
    #expect(s.perceptualLayer == "conv4_3")
    #expect(s.perceptualLayerWeights == ["conv1_2": 0.1, "conv3_3": 1, "conv4_3": 0.5])
    #expect(s.perceptualAfterActivation)
  }

  @Test func ganPatchLimits() {
    let small = Self.base.replacingOccurrences(of: "hr_patch: 32", with: "hr_patch: 12")
    #expect(throws: TrainError.recipe("perceptual.layer conv5_3 needs data.hr_patch >= 16, not 12")) {
      try Recipe.parse(small + "\ngan: {}")
    }
    #expect(throws: TrainError.recipe("r.yml: 7:20: unknown key 'wieght' in gan (valid: type, weight)")) {
      try Recipe.parse(Self.base + "\ngan: {type: ragan, wieght: 1}", path: "r.yml")
    }
  }
}
