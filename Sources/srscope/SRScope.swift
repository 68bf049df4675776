import ArgumentParser
import SRTensor

/// The `srscope` command: run, measure and compare ESRGAN-family super-resolution generators.
@main
struct SRScope: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "srscope",
    abstract: "Run, measure and compare ESRGAN-family super-resolution generators on the CPU.",
    subcommands: [
      InspectCommand.self, UpscaleCommand.self, DownscaleCommand.self, ConvertCommand.self,
      EvalCommand.self, MetricsCommand.self, ViewCommand.self, CompareCommand.self, TrainCommand.self, PlotCommand.self,
    ],
    defaultSubcommand: ViewCommand.self)

  /// Replaces OpenBLAS's generic kernels on CPUs it does not recognise (see `BLASKernelChoice`), then runs.
  ///
  /// `upscale` skips that re-execution (about 15 ms): every convolution of the supported
  /// architectures is 3x3 and runs on SRScope's own Winograd kernels, not OpenBLAS. The commands
  /// that compute LPIPS or NIQE, or train, still use OpenBLAS.
  static func main() {
    if CommandLine.arguments.dropFirst().first != "upscale" { BLASKernelChoice.reexecIfMisdetected() }
    HeapPolicy.reuseFreedMemory()
    main(nil)
  }
}
