import Foundation
import SRTensor

/// Writes a tensor as a NumPy `.npy` (version 1.0, little-endian float32, C order), for comparing
/// raw network outputs with other implementations.
enum FloatDump {
  static func writeNPY(_ t: Tensor, to path: String) throws {
    let shape = t.shape.map(String.init).joined(separator: ", ") + (t.rank == 1 ? "," : "")
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape)), }"
    let total = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    let n = UInt16(header.utf8.count)
    bytes += [UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8)
    t.data.withUnsafeBytes { bytes += $0 }
    try AtomicFile.write(bytes, to: path)
  }
}
