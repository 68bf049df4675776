import Foundation
import Testing
import SRFormats
import SRImage
import SRModels
import SRTensor
import SRTestSupport
@testable import SRTrain

/// A smooth synthetic RGB image (sinusoid gradients) of size `size`, in [0.1, 0.9].
func syntheticImage(_ size: Int, phase: Double = 0) -> Tensor {
  var data: [Float] = []
  for c in 0..<3 { for y in 0..<size { for x in 0..<size {
    let v = 0.5 + 0.4 * sin(Double(x) * 0.21 + Double(c) + phase) * cos(Double(y) * 0.17 - phase)
    data.append(Float(v))
  } } }
  return Tensor(shape: [3, size, size], data: data)
}

/// A temp folder holding two synthetic 72x72 PNGs.
func syntheticFolder(_ tag: String) throws -> String {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("srtrain-\(tag)-\(getpid())").path
  try? FileManager.default.removeItem(atPath: dir)
  try FileManager.default.createDirectory(atPath: dir + "/hr", withIntermediateDirectories: true)
  for k in 0..<2 { try PNGCodec.write(SRImage.Image(rgb: syntheticImage(72, phase: Double(k))), to: dir + "/hr/\(k).png") }
  return dir
}

@Suite(.serialized) struct TrainerTests {
  /// 30 Adam steps (lr 1e-2, cosine) on nf 4 / 1 block SRResNet without BN, x4, 16x16 HR patches:
  /// the L1 loss on a fixed held-out batch falls by at least 2.5x (measured 0.504 -> 0.171, 2.9x;
  /// PyTorch init output starts far from the image, so the first steps mostly fit the colour offset).
  @Test func thirtyStepsLowerTheLoss() throws {
    let recipe = Recipe.tiny(type: "srresnet", folder: "", batchNorm: false)
    let net = try recipe.makeNetwork()
    var rng = TrainRNG(seed: 3)
    net.initialise(.pytorch, rng: &rng)
    let data = try PatchDataset(hrImages: [syntheticImage(48), syntheticImage(48, phase: 1)], scale: 4, minLRSize: 4)
    var held = TrainRNG(seed: 99)
    let (hx, hy) = data.batch(size: 8, hrPatch: 16, flips: true, rotations: true, rng: &held)
    let before = Kernels.l1(net.forward(hx, training: false), hy).loss
    let adam = Adam()
    for it in 0..<30 {
      let (x, y) = data.batch(size: 4, hrPatch: 16, flips: true, rotations: true, rng: &rng)
      net.zeroGrad()
      let (_, g) = Kernels.l1(net.forward(x, training: true), y)
      net.backward(g)
      adam.update(net.parameters, lr: recipe.learningRate(at: it))
    }
    let after = Kernels.l1(net.forward(hx, training: false), hy).loss
    #expect(after * 2.5 < before, "L1 before \(before), after \(after)")
  }

  /// The same seed gives bit-identical checkpoints on 1 or 2 threads; 6 straight iterations equal 3 + resume 3.
  /// bf16 (oneDNN's bf16 kernels, where the CPU has them): the same seed gives bit-identical
  /// checkpoints run to run, on 1 or 2 threads, and 3 + resume 3 equals 6 straight iterations
  /// (oneDNN's slices of the batch are the same on any thread count).
  @Test(arguments: ["srresnet", "rrdbnet"]) func bf16IsDeterministicAndResumable(type: String) throws {
    guard ConvPrecision.available(.bf16).precision == .bf16 else { return }
    let dir = try syntheticFolder("det16" + type)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var recipe = Recipe.tiny(type: type, folder: dir + "/hr", iterations: 6)
    recipe.precision = "bf16"
    recipe.snapshot_interval = 3
    recipe.schedule = .init(type: "step", milestones: [2, 4], gamma: 0.5)
    _ = try Trainer.run(recipe: recipe, runFolder: dir + "/a", resume: false, threads: 2, commandLine: ["t"])
    _ = try Trainer.run(recipe: recipe, runFolder: dir + "/b", resume: false, threads: 2, commandLine: ["t"])
    var short = recipe; short.iterations = 3
    _ = try Trainer.run(recipe: short, runFolder: dir + "/c", resume: false, threads: 2, commandLine: ["t"])
    _ = try Trainer.run(recipe: recipe, runFolder: dir + "/c", resume: true, threads: 2, commandLine: ["t"])
    _ = try Trainer.run(recipe: recipe, runFolder: dir + "/d", resume: false, threads: 1, commandLine: ["t"])
    var fp32 = recipe; fp32.precision = nil
    _ = try Trainer.run(recipe: fp32, runFolder: dir + "/f", resume: false, threads: 2, commandLine: ["t"])
    let bytes = { (run: String) in FileManager.default.contents(atPath: Checkpoint.weightsPath(dir + "/" + run, 6)) }
    #expect(bytes("a") != nil && bytes("a") != bytes("f"))  // bf16 really ran: its products round differently
    #expect(bytes("a") == bytes("b"))  // run to run
    #expect(bytes("a") == bytes("c"))  // resumed
    #expect(bytes("a") == bytes("d"))  // on one thread
  }

  @Test func deterministicAndResumable() throws {
    let dir = try syntheticFolder("det")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var recipe = Recipe.tiny(type: "srresnet", folder: dir + "/hr", iterations: 6)
    recipe.snapshot_interval = 3
    recipe.schedule = .init(type: "step", milestones: [2, 4], gamma: 0.5)  // independent of `iterations`
    recipe.data.validation = [dir + "/hr/0.png"]
    recipe.validation_interval = 3
    let a = try Trainer.run(recipe: recipe, runFolder: dir + "/a", resume: false, threads: 2, commandLine: ["t"])
    _ = try Trainer.run(recipe: recipe, runFolder: dir + "/b", resume: false, threads: 2, commandLine: ["t"])
    var short = recipe; short.iterations = 3
    _ = try Trainer.run(recipe: short, runFolder: dir + "/c", resume: false, threads: 2, commandLine: ["t"])
    let resumed = try Trainer.run(recipe: recipe, runFolder: dir + "/c", resume: true, threads: 2, commandLine: ["t"])
    _ = try Trainer.run(recipe: recipe, runFolder: dir + "/d", resume: false, threads: 1, commandLine: ["t"])
    #expect(a.iteration == 6 && resumed.iteration == 6)
    let bytes = { (run: String) in FileManager.default.contents(atPath: Checkpoint.weightsPath(dir + "/" + run, 6)) }
    #expect(bytes("a") != nil)
    #expect(bytes("a") == bytes("b"))
    #expect(bytes("a") == bytes("c"))
    #expect(bytes("a") == bytes("d"))  // the thread count does not change a bit
    let log = try String(contentsOfFile: dir + "/c/log.csv", encoding: .utf8).split(separator: "\n")
    #expect(log.count == 7)  // header + 6 iterations, resumed log continues
    #expect(log[0] == "iteration,loss,lr,val_psnr_y,val_ssim_y,seconds")
    #expect((a.validationPSNR ?? 0) > 5)
  }

  /// The cancellation flag stops the run after the first iteration and still writes a checkpoint.
  @Test func cancellationSavesCheckpoint() throws {
    let dir = try syntheticFolder("cancel")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let flag = CancellationFlag()
    let s = try Trainer.run(recipe: .tiny(type: "rrdbnet", folder: dir + "/hr", iterations: 50), runFolder: dir + "/r",
                            resume: false, threads: 1, commandLine: ["t"], cancel: flag) { p in
      if p.iteration == 2 { flag.cancel() }
    }
    #expect(s.cancelled && s.iteration == 2)
    #expect(FileManager.default.fileExists(atPath: Checkpoint.weightsPath(dir + "/r", 2)))
    #expect(FileManager.default.fileExists(atPath: Checkpoint.statePath(dir + "/r", 2)))
  }

  @Test func recipeParsingAndErrors() throws {
    let yaml = """
    name: t
    architecture: {type: rrdbnet, num_feat: 8, num_block: 2, num_grow_ch: 4, residual_scale: 1.0, scale: 4}
    data: {hr_folders: [x], hr_patch: 32, batch: 2}
    optimizer: {lr: 2.0e-4, betas: [0.9, 0.99]}
    schedule: {type: step, milestones: [10, 20], gamma: 0.5}
    iterations: 30
    seed: 7
    init: msra0.1
    """
    let r = try Recipe.parse(yaml)
    #expect(r.`init` == .msra01 && r.architecture.residual_scale == 1)
    #expect(r.learningRate(at: 9) == 2e-4 && r.learningRate(at: 10) == 1e-4 && r.learningRate(at: 25) == 5e-5)
    #expect(throws: TrainError.self) { try Recipe.parse(yaml.replacingOccurrences(of: "hr_patch: 32", with: "hr_patch: 30")) }
    #expect(throws: TrainError.self) { try Recipe.parse("name: [") }
    // A key the trainer does not know is never silently ignored.
    #expect(throws: TrainError.recipe("r.yml: 9:1: unknown key 'precison' (valid: architecture, data, discriminator, fp16, gan, "
      + "init, iterations, l1_weight, loss, name, optimizer, perceptual, precision, pretrained, schedule, seed, "
      + "snapshot_interval, validation_interval)")) {
      try Recipe.parse(yaml + "\nprecison: bf16", path: "r.yml")
    }
    #expect(try Recipe.parse(yaml + "\nprecision: bf16").precision == "bf16")
    #expect(throws: TrainError.recipe("precision must be fp32 or bf16, not fp16")) {
      try Recipe.parse(yaml + "\nprecision: fp16")
    }
    #expect(throws: TrainError.recipe("r.yml: 2:105: unknown key 'growth' in architecture (valid: batch_norm, num_block, "
      + "num_feat, num_grow_ch, residual_scale, scale, type)")) {
      try Recipe.parse(yaml.replacingOccurrences(of: "scale: 4}", with: "scale: 4, growth: 3}"), path: "r.yml")
    }
  }
}

/// Hostile recipes and run folders: limits named, nothing left behind, damaged resume states refused.
@Suite(.serialized) struct TrainerBadInputTests {
  @Test(arguments: [
    ("num_feat", "architecture.num_feat must be 1 to 512, not 4611686018427387904"),
    ("num_grow_ch", "architecture.num_grow_ch must be 1 to 512, not 1000"),
    ("num_block", "architecture.num_block must be 0 to 64, not 2147483648"),
    ("batch", "data.batch must be 1 to 1024, not 100000"),
    ("scale", "architecture.scale must be 1 to 8, not 0"),
    ("iterations", "iterations must be 1 to 100000000, not -1"),
  ])
  func recipeLimitsNameTheField(field: String, message: String) {
    var r = Recipe.tiny(type: "rrdbnet", folder: "x")
    switch field {
    case "num_feat": r.architecture.num_feat = 1 << 62
    case "num_grow_ch": r.architecture.num_grow_ch = 1000
    case "num_block": r.architecture.num_block = 1 << 31
    case "batch": r.data.batch = 100_000
    case "scale": r.architecture.scale = 0
    default: r.iterations = -1
    }
    #expect(throws: TrainError.recipe(message)) { try r.validate() }
  }

  @Test func aRecipeTooLargeForMemoryIsRefusedBeforeAllocating() {
    var r = Recipe.tiny(type: "rrdbnet", folder: "x")
    r.architecture.num_feat = 512; r.architecture.num_grow_ch = 512; r.architecture.num_block = 64
    r.data.batch = 1024; r.data.hr_patch = 512
    let error = #expect(throws: TrainError.self) { try r.validate() }
    #expect("\(error!)".hasPrefix("recipe: training needs about "))
    #expect("\(error!)".hasSuffix("(3/4 of this machine's memory or address-space limit); use a smaller batch, patch or network"))
  }

  @Test func aFailedRunLeavesNoFolder() throws {
    let dir = try syntheticFolder("leftover")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var r = Recipe.tiny(type: "srresnet", folder: dir + "/hr", iterations: 2)
    r.data.validation = [dir + "/missing.png"]
    #expect(throws: TrainError.self) { try Trainer.run(recipe: r, runFolder: dir + "/run", resume: false, threads: 1, commandLine: ["t"]) }
    #expect(!FileManager.default.fileExists(atPath: dir + "/run"))
  }

  @Test(arguments: ["9223372036854775807", "0", "-1"])
  func aResumeStateWithAForeignAdamStepIsRefused(step: String) throws {
    let dir = try syntheticFolder("adamstep\(step.count)")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = Recipe.tiny(type: "srresnet", folder: dir + "/hr", iterations: 2)
    _ = try Trainer.run(recipe: r, runFolder: dir + "/run", resume: false, threads: 1, commandLine: ["t"])
    let path = Checkpoint.statePath(dir + "/run", 2)
    var state = try Safetensors.read(try InputFile.read(path))
    state.metadata["adam_step"] = step
    try AtomicFile.write(try Safetensors.write(state, as: .f32), to: path)
    var longer = r; longer.iterations = 4
    #expect(throws: TrainError.checkpoint("\(path): adam_step \(step) is not the checkpoint's iteration 2")) {
      try Trainer.run(recipe: longer, runFolder: dir + "/run", resume: true, threads: 1, commandLine: ["t"])
    }
  }
}

@Suite(.serialized) struct RunFilesTests {
  /// A run folder holds no paths of the machine that made it: data paths as written, the program by name.
  @Test func runFilesKeepPathsAsWritten() throws {
    let dir = try syntheticFolder("runfiles")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var r = Recipe.tiny(type: "srresnet", folder: "hr", iterations: 1)  // relative to dataBase
    r.data.validation = ["hr/0.png"]
    _ = try Trainer.run(recipe: r, dataBase: dir, runFolder: dir + "/run", resume: false, threads: 1,
                        commandLine: ["/opt/tools/bin/srscope", "train", "r.yml", "--threads", "1"])
    #expect(try String(contentsOfFile: dir + "/run/command.txt", encoding: .utf8) == "srscope train r.yml --threads 1\n")
    let saved = try String(contentsOfFile: dir + "/run/recipe.yaml", encoding: .utf8)
    #expect(saved.contains("- hr\n") && saved.contains("- hr/0.png\n"))
    #expect(!saved.contains(dir))
    #expect(try Recipe.parse(saved) == r)
  }
}
