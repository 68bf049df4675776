import Foundation

/// Writes files so that a reader never sees a partial file: write to a temporary file in the
/// same folder, then rename over the destination. On failure nothing is left behind.
public enum AtomicFile {
  /// Writes `bytes` to `path` atomically.
  /// - Throws: `AtomicFileError` naming the path and the system's reason.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let temp = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
    do {
      try Data(bytes).write(to: temp)
    } catch {
      try? FileManager.default.removeItem(at: temp)
      throw AtomicFileError(path: path, reason: (error as NSError).localizedFailureReason ?? "\(error.localizedDescription)")
    }
    if rename(temp.path, url.path) != 0 {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temp)
      throw AtomicFileError(path: path, reason: reason)
    }
  }
}

/// A file could not be written.
public struct AtomicFileError: Error, CustomStringConvertible, Equatable {
  public var path: String
  public var reason: String
  public var description: String { "cannot write \(path): \(reason)" }
}
