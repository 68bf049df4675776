import ArgumentParser
import SRConfig
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
      InterpolateCommand.self,
    ],
    defaultSubcommand: ViewCommand.self)

  /// Parses the command line, replaces OpenBLAS's generic kernels on CPUs it does not recognise
  /// (see `BLASKernelChoice`) unless the command never reaches OpenBLAS, then runs the command.
  static func main() {
    let parsed: ParsableCommand
    do { parsed = try parseAsRoot() } catch { exit(withError: error) }
    if !(parsed is RunsWithoutOpenBLAS) { BLASKernelChoice.reexecIfMisdetected() }
    HeapPolicy.reuseFreedMemory()
    var command = parsed
    do { try command.run() } catch { exit(withError: printable(error)) }
  }

  /// Errors from files may carry control bytes (a pickle's global name, a YAML scalar): every
  /// message is printed as one line of printable text.
  static func printable(_ error: Error) -> Error {
    // ArgumentParser's own errors (usage, `--help` through its help command) keep their handling.
    if error is ValidationError || error is ExitCode || error is CleanExit
      || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { return error }
    return CommandError(Printable.escape("\(error)"))
  }
}

/// A command whose work never calls OpenBLAS, so it skips `BLASKernelChoice`'s re-execution (about
/// 15 ms of start-up): every convolution of the supported architectures is 3x3 and runs on
/// SRScope's own Winograd kernels. The commands that compute LPIPS or NIQE, or train, use OpenBLAS.
protocol RunsWithoutOpenBLAS {}
