import ArgumentParser
import Foundation
import SRTensor

/// `--threads`, shared by every command that computes.
struct ThreadOptions: ParsableArguments {
  @Option(help: "Worker threads for SRScope and OpenBLAS (default: all cores).")
  var threads: Int?

  func validate() throws {
    if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
  }

  /// Applies the setting process-wide.
  func apply() { Parallel.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount) }
}

/// Parses sizes such as `512M`, `2G`, `1500000000`.
struct ByteSize: ExpressibleByArgument, CustomStringConvertible {
  let bytes: Int
  /// As written (`4G`), which is what `--help` shows for a default.
  let text: String
  var description: String { text }
  var defaultValueDescription: String { text }
  init?(argument: String) {
    text = argument
    let s = argument.uppercased().replacingOccurrences(of: "B", with: "")
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
    if let last = s.last, let unit = units[last], let v = Double(s.dropLast()), v > 0, v * Double(unit) < 0x1p62 {
      bytes = Int(v * Double(unit))
    } else if let v = Int(s), v > 0 {
      bytes = v
    } else {
      return nil
    }
  }
}

/// A failure outside argument validation: printed as one "Error: ..." line, without the usage text.
struct CommandError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
