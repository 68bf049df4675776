import Foundation
import SRConfig
import SRFormats
import SRModels
import SRTensor

/// A flag the CLI sets (e.g. on Ctrl-C); the trainer checks it once per iteration, then saves and stops.
public final class CancellationFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false
  /// A cleared flag.
  public init() {}
  /// Requests a stop.
  public func cancel() { lock.lock(); value = true; lock.unlock() }
  /// True once `cancel()` was called.
  public var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// Progress reported after every iteration.
public struct TrainProgress: Sendable {
  /// Iterations completed (1-based).
  public var iteration: Int
  /// Total iterations of the recipe.
  public var total: Int
  /// L1 loss of this iteration's batch.
  public var loss: Double
  /// Learning rate used.
  public var lr: Double
  /// Iterations per second in this session.
  public var iterationsPerSecond: Double
  /// Estimated seconds to finish.
  public var eta: Double
  /// Latest validation PSNR-Y (dB), if any has run.
  public var validationPSNR: Double?
}

/// The outcome of `Trainer.run`.
public struct TrainSummary: Sendable {
  /// The last iteration completed (and checkpointed).
  public var iteration: Int
  /// True if stopped by the cancellation flag.
  public var cancelled: Bool
  /// The last weights checkpoint written.
  public var checkpoint: String
  /// Last validation PSNR-Y / SSIM-Y, if validation images were given.
  public var validationPSNR, validationSSIM: Double?
}

/// Runs a recipe: data, init, Adam + schedule, log.csv, checkpoints, resume, validation.
public enum Trainer {
  /// Trains per `recipe` into `runFolder` (created if needed).
  /// - Parameters:
  ///   - resume: continue from the latest `state_<N>.safetensors` in `runFolder`.
  ///   - threads: `Parallel.setThreads` value; same seed + same threads gives bit-identical checkpoints.
  ///   - dataBase: the folder relative data paths (and `${VAR}`s) of `recipe` are resolved against,
  ///     usually the recipe's; `recipe.yaml` keeps them as written.
  ///   - commandLine: recorded in `command.txt`, the program by its name (not its path).
  ///   - progress: called after each iteration.
  ///   - cancel: checked each iteration; when set, a checkpoint is saved and the run returns.
  public static func run(recipe: Recipe, dataBase: String = "", runFolder: String, resume: Bool, threads: Int,
                         commandLine: [String] = CommandLine.arguments,
                         cancel: CancellationFlag = CancellationFlag(),
                         progress: ((TrainProgress) -> Void)? = nil) throws(TrainError) -> TrainSummary {
    try recipe.validate()
    Parallel.setThreads(threads)
    let fm = FileManager.default
    // A run that fails before its first checkpoint leaves no folder it created.
    let created = !fm.fileExists(atPath: runFolder)
    do {
      return try train(recipe: recipe, dataBase: dataBase, runFolder: runFolder, resume: resume, commandLine: commandLine,
                       cancel: cancel, progress: progress)
    } catch {
      if created && Checkpoint.latestState(in: runFolder) == nil { try? fm.removeItem(atPath: runFolder) }
      throw error
    }
  }

  private static func train(recipe: Recipe, dataBase: String, runFolder: String, resume: Bool, commandLine: [String],
                            cancel: CancellationFlag, progress: ((TrainProgress) -> Void)?) throws(TrainError) -> TrainSummary {
    let fm = FileManager.default
    let net = try recipe.makeNetwork()
    let precision = ConvPrecision.available(ConvPrecision(rawValue: recipe.precision ?? "fp32") ?? .fp32)
    if let note = precision.note { FileHandle.standardError.write(Data(("train: " + note + "\n").utf8)) }
    net.precision = precision.precision
    // Inputs are read and checked before anything is written.
    let a = recipe.architecture, d = recipe.data
    func path(_ raw: String) -> String { ConfigPath.resolve(raw, base: dataBase) }
    let multiple = a.type == "rrdbnet" ? max(1, 4 / a.scale) : 1
    let data = try PatchDataset(folders: d.hr_folders.map(path), scale: a.scale, minLRSize: d.hr_patch / a.scale)
    let val = try (d.validation ?? []).map { raw throws(TrainError) in try validationPair(path(raw), scale: a.scale, multiple: multiple) }
    let resumeFrom = resume ? Checkpoint.latestState(in: runFolder) : nil
    if resumeFrom == nil, let p = recipe.pretrained { try PretrainedWeights.load(path(p), into: net) }
    let gan = try recipe.gan.map { _ throws(TrainError) in try GANStage(recipe: recipe, precision: net.precision) }
    let companions = gan.map { [$0.checkpointState] } ?? []
    do { try fm.createDirectory(atPath: runFolder, withIntermediateDirectories: true) } catch {
      throw .checkpoint("cannot create \(runFolder)")
    }
    let betas = recipe.optimizer.betas ?? [0.9, 0.999]
    let adam = Adam(beta1: betas[0], beta2: betas[1], weightDecay: recipe.optimizer.weight_decay ?? 0)
    var rng = TrainRNG(seed: recipe.seed)
    var start = 0, elapsedBefore = 0.0
    if let last = resumeFrom {
      (rng, elapsedBefore) = try Checkpoint.restore(network: net, adam: adam, folder: runFolder, iteration: last,
                                                    companions: companions)
      start = last
    } else {
      if recipe.pretrained == nil { net.initialise(recipe.`init` ?? .pytorch, rng: &rng) }
      gan?.initialise(rng: &rng)
    }
    try writeRunFiles(recipe, commandLine: commandLine, folder: runFolder)
    let log = try CSVLog(path: runFolder + "/log.csv", truncateAfter: start, extraColumns: gan == nil ? [] : GANStage.logColumns)

    let clock = Date()
    var it = start, lastPSNR: Double?, lastSSIM: Double?, cancelled = false
    var lastSaved = start
    while it < recipe.iterations {
      if cancel.isCancelled { cancelled = true; break }
      let lr = recipe.learningRate(at: it)
      let (x, y) = data.batch(size: d.batch, hrPatch: d.hr_patch, flips: d.flips ?? true,
                              rotations: d.rotations ?? true, rng: &rng)
      let loss: Double, extra: [Double]
      if let gan {
        let l = gan.step(generator: net, adam: adam, lr: x, hr: y, lr: lr,
                         discriminatorLR: recipe.discriminatorLearningRate(gan.settings, at: it))
        (loss, extra) = (l.total, l.columns)
      } else {
        net.zeroGrad()
        let (l1, grad) = Kernels.l1(net.forward(x, training: true), y)
        net.backward(grad)
        adam.update(net.parameters, lr: lr)
        (loss, extra) = (l1, [])
      }
      it += 1
      let seconds = elapsedBefore + Date().timeIntervalSince(clock)
      var valCols: (Double, Double)?
      if !val.isEmpty, it % (recipe.validation_interval ?? 1000) == 0 || it == recipe.iterations {
        let v = Validation.evaluate(net, pairs: val)
        lastPSNR = v.psnr; lastSSIM = v.ssim; valCols = v
      }
      log.append(iteration: it, loss: loss, lr: lr, validation: valCols, seconds: seconds, extra: extra)
      if it % (recipe.snapshot_interval ?? 5000) == 0 || it == recipe.iterations {
        try Checkpoint.save(network: net, adam: adam, rng: rng, recipe: recipe, iteration: it,
                            elapsed: seconds, folder: runFolder, companions: companions)
        lastSaved = it
      }
      let rate = Double(it - start) / max(1e-9, Date().timeIntervalSince(clock))
      progress?(TrainProgress(iteration: it, total: recipe.iterations, loss: loss, lr: lr, iterationsPerSecond: rate,
                              eta: Double(recipe.iterations - it) / max(rate, 1e-9), validationPSNR: lastPSNR))
    }
    if lastSaved != it || (it == start && Checkpoint.latestState(in: runFolder) != it) {
      try Checkpoint.save(network: net, adam: adam, rng: rng, recipe: recipe, iteration: it,
                          elapsed: elapsedBefore + Date().timeIntervalSince(clock), folder: runFolder, companions: companions)
    }
    log.close()
    return TrainSummary(iteration: it, cancelled: cancelled, checkpoint: Checkpoint.weightsPath(runFolder, it),
                        validationPSNR: lastPSNR, validationSSIM: lastSSIM)
  }

  /// Writes `recipe.yaml` and `command.txt` into the run folder.
  /// The files hold no paths of this machine: the recipe keeps its data paths as written, and the
  /// command names the program, not where it is installed.
  static func writeRunFiles(_ recipe: Recipe, commandLine: [String], folder: String) throws(TrainError) {
    let command = commandLine.enumerated().map { $0.offset == 0 ? ($0.element as NSString).lastPathComponent : $0.element }
    do {
      try AtomicFile.write(Array(try recipe.yaml().utf8), to: folder + "/recipe.yaml")
      try AtomicFile.write(Array((command.joined(separator: " ") + "\n").utf8), to: folder + "/command.txt")
    } catch {
      throw .checkpoint("cannot write run files: \(error)")
    }
  }

  static func validationPair(_ path: String, scale: Int, multiple: Int) throws(TrainError) -> PatchDataset.Pair {
    let img: Tensor
    do { img = try SRImage.ImageFile.read(contentsOf: path).rgb } catch { throw .data(error.description) }
    let hr = Degrade.modcrop(img, multiple: scale * multiple)
    guard hr.height >= 2 * scale + 1, hr.width >= 2 * scale + 1 else { throw .data("validation image \(path) too small") }
    return PatchDataset.Pair(hr: hr, lr: Degrade.makeLR(hr, scale: scale))
  }
}

import SRImage

/// `log.csv`: iteration,loss,lr,val_psnr_y,val_ssim_y,seconds, then any extra columns (the GAN
/// stage's losses), one row per iteration.
final class CSVLog {
  private let handle: FileHandle

  /// Opens (creating with a header) and drops rows after iteration `truncateAfter` when resuming.
  init(path: String, truncateAfter: Int, extraColumns: [String] = []) throws(TrainError) {
    let header = (["iteration,loss,lr,val_psnr_y,val_ssim_y,seconds"] + extraColumns).joined(separator: ",") + "\n"
    var text = header
    if truncateAfter > 0, let old = try? String(contentsOfFile: path, encoding: .utf8) {
      for line in old.split(separator: "\n").dropFirst() {
        if let n = Int(line.split(separator: ",").first ?? ""), n <= truncateAfter { text += line + "\n" }
      }
    }
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)),
          let h = FileHandle(forWritingAtPath: path) else { throw .checkpoint("cannot write \(path)") }
    h.seekToEndOfFile()
    handle = h
  }

  func append(iteration: Int, loss: Double, lr: Double, validation: (Double, Double)?, seconds: Double,
              extra: [Double] = []) {
    let v = validation.map { String(format: "%.4f,%.5f", $0.0, $0.1) } ?? ","
    let row = "\(iteration)," + String(format: "%.6f,%.4e,", loss, lr) + v + String(format: ",%.2f", seconds)
      + extra.map { String(format: ",%.6g", $0) }.joined() + "\n"
    handle.write(Data(row.utf8))
  }

  func close() { try? handle.close() }
}
