import ArgumentParser
import Dispatch
import Foundation
import SRPipeline
import SRTrain

/// `srscope train RECIPE`: trains a generator on the CPU and writes a run folder.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a generator from a recipe (YAML/JSON); Ctrl-C saves a checkpoint, --resume continues.")

  @Argument(help: "Recipe file.") var recipe: String
  @Option(help: "Run folder (default: the recipe's folder).") var output: String?
  @Flag(help: "Continue from the latest checkpoint in the run folder.") var resume = false
  @Option(help: "Override the recipe's iteration count.") var iterations: Int?
  @Option(help: "Worker threads (same seed + same threads = bit-identical checkpoints).") var threads: Int =
    ProcessInfo.processInfo.activeProcessorCount

  func validate() throws {
    if threads < 1 { throw ValidationError("--threads must be at least 1") }
    if let i = iterations, i < 1 { throw ValidationError("--iterations must be at least 1") }
  }

  func run() throws {
    var r = try Recipe.load(path: recipe)
    if let i = iterations { r.iterations = i }
    // Data paths may use ${SRSCOPE_ASSETS} and are relative to the recipe's folder, as in manifests.
    let base = (recipe as NSString).deletingLastPathComponent
    let folder = output ?? base
    let cancel = CancellationFlag()
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler {
      FileHandle.standardError.write(Data("\ninterrupted: saving a checkpoint...\n".utf8))
      cancel.cancel()
    }
    source.resume()
    let bar = ProgressBar("train")
    let summary = try Trainer.run(recipe: r, dataBase: base, runFolder: folder.isEmpty ? "." : folder, resume: resume,
                                  threads: threads, cancel: cancel) { p in
      bar.update(Double(p.iteration) / Double(max(1, p.total)), suffix: String(
        format: "it %d/%d loss %.4f %.2f it/s%@", p.iteration, p.total, p.loss, p.iterationsPerSecond,
        p.validationPSNR.map { String(format: " val %.2f dB", $0) } ?? ""))
    }
    bar.finish()
    source.cancel()
    let psnr = summary.validationPSNR.map { String(format: ", validation PSNR-Y %.3f dB", $0) } ?? ""
    print("\(summary.cancelled ? "stopped" : "finished") at iteration \(summary.iteration)\(psnr): \(summary.checkpoint)")
  }
}
