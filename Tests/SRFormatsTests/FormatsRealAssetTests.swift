import Foundation
import SRFormats
import Testing

/// Opt-in checks against the fetched assets (Scripts/fetch-assets.sh), SR-SPEC §2.8 shapes.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SRSCOPE_ASSETS"] != nil, "needs SRSCOPE_ASSETS"))
struct FormatsRealAssetTests {
  static func asset(_ path: String) throws -> [UInt8] {
    let root = try #require(ProcessInfo.processInfo.environment["SRSCOPE_ASSETS"])
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + path)))
  }

  @Test func niqeParamsNPZ() throws {
    let a = try NumPy.readNPZ(try Self.asset("niqe/niqe_pris_params.npz"))
    #expect(a["mu_pris_param"]?.shape == [1, 36])
    let cov = try #require(a["cov_pris_param"])
    #expect(cov.shape == [36, 36])
    for i in 0..<36 { for j in 0..<36 { #expect(cov.data[i * 36 + j] == cov.data[j * 36 + i]) } }
    let w = try #require(a["gaussian_window"])
    #expect(w.shape == [7, 7])
    #expect(w.data.allSatisfy { $0 > 0 })  // a Gaussian window
  }

  @Test func lpipsJaxAlexNetCheckpoint() throws {
    let d = try NumPy.readPickledArrays(try Self.asset("lpips/alexnet.ckpt"))
    let kernels: [[Int]] = [[11, 11, 3, 64], [5, 5, 64, 192], [3, 3, 192, 384], [3, 3, 384, 256], [3, 3, 256, 256]]
    for (i, shape) in kernels.enumerated() {
      #expect(d["AlexNet_0/Conv_\(i)/kernel"]?.shape == shape)
      #expect(d["AlexNet_0/Conv_\(i)/bias"]?.shape == [shape[3]])
      #expect(d["NetLinLayer_\(i)/Conv_0/kernel"]?.shape == [1, 1, shape[3], 1])
    }
  }
}
