import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads input files (models, manifests, recipes, logs): only regular files, never more bytes than
/// a stated limit. Directories, FIFOs (which would block forever), devices (`/dev/zero` would never
/// end) and the kernel's `/proc`/`/sys` files (whose size is not what they hold) are refused with
/// one line naming the path.
public enum InputFile {
  /// The default limit for one input file: 8 GiB (larger than any checkpoint the tool reads).
  public static let defaultMaxBytes = 8 << 30

  /// The file's bytes.
  /// - Throws: `InputFileError` naming the path and the reason.
  public static func read(_ path: String, maxBytes: Int = defaultMaxBytes) throws(InputFileError) -> [UInt8] {
    let fd = try open(path)
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw InputFileError(path: path, reason: String(cString: strerror(errno))) }
    let size = Int(st.st_size)
    guard size <= maxBytes else {
      throw InputFileError(path: path, reason: "\(size) bytes is more than the limit of \(maxBytes)")
    }
    var bytes = [UInt8](repeating: 0, count: size)
    var done = 0
    while done < size {
      let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, size - done) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else {
        throw InputFileError(path: path, reason: n == 0 ? "file shrank while being read" : String(cString: strerror(errno)))
      }
      done += n
    }
    return bytes
  }

  /// The file as UTF-8 text.
  public static func readText(_ path: String, maxBytes: Int = 64 << 20) throws(InputFileError) -> String {
    let bytes = try read(path, maxBytes: maxBytes)
    guard let text = String(validating: bytes, as: UTF8.self) else { throw InputFileError(path: path, reason: "not UTF-8 text") }
    return text
  }

  /// Throws unless `path` names a readable regular file.
  public static func checkRegular(_ path: String) throws(InputFileError) {
    close(try open(path))
  }

  /// Opens without blocking (a FIFO would wait for a writer), then checks the kind of file.
  private static func open(_ path: String) throws(InputFileError) -> Int32 {
    guard !path.isEmpty else { throw InputFileError(path: path, reason: "empty path") }
    let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw InputFileError(path: path, reason: String(cString: strerror(errno))) }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw InputFileError(path: path, reason: reason)
    }
    let kind = st.st_mode & S_IFMT
    if kind != S_IFREG {
      close(fd)
      let what = kind == S_IFDIR ? "a directory" : kind == S_IFIFO ? "a FIFO" : kind == S_IFCHR || kind == S_IFBLK ? "a device"
        : kind == S_IFSOCK ? "a socket" : "not a regular file"
      throw InputFileError(path: path, reason: "is \(what), not a regular file")
    }
    // procfs and sysfs report sizes that are not their contents.
    if let real = realpath(path, nil) {
      defer { free(real) }
      let resolved = String(cString: real)
      guard !(resolved.hasPrefix("/proc/") || resolved.hasPrefix("/sys/")) else {
        close(fd)
        throw InputFileError(path: path, reason: "is a kernel (/proc or /sys) file, not a regular file")
      }
    }
    _ = fcntl(fd, F_SETFL, O_RDONLY)
    return fd
  }
}

/// An input file could not be read.
public struct InputFileError: Error, CustomStringConvertible, Equatable, Sendable {
  public var path: String
  public var reason: String
  public init(path: String, reason: String) { self.path = path; self.reason = reason }
  public var description: String { "\(path): \(reason)" }
}
