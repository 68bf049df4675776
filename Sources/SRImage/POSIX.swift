#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Free-function wrappers, because inside `PNGCodec` the names `read` and `write` refer to the
// codec's own static methods.

/// POSIX `read(2)`.
func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  read(fd, buffer, count)
}

/// POSIX `write(2)`.
func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, buffer, count)
}

/// Why `readWholeFile` failed: the `strerror` text of `open(2)` or `read(2)`.
struct FileReadFailure: Error {
  var reason: String
}

/// The whole contents of the file at `path`.
func readWholeFile(_ path: String) throws(FileReadFailure) -> [UInt8] {
  let fd = open(path, O_RDONLY)
  guard fd >= 0 else { throw FileReadFailure(reason: String(cString: strerror(errno))) }
  defer { close(fd) }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 1 << 16)
  while true {
    let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
    if n < 0 {
      if errno == EINTR { continue }
      throw FileReadFailure(reason: String(cString: strerror(errno)))
    }
    if n == 0 { return bytes }
    bytes.append(contentsOf: chunk[0..<n])
  }
}
