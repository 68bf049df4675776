import Foundation
import SRImage
import SRMetrics
import SRTensor
import Testing

/// Whole-photo calibration (the README table): opt-in, because VGG on 512x512 takes seconds.
///
/// Setup: `python3 Scripts/metrics_reference.py --data <skimage/data> --write-pairs DIR`, then
/// `SRMETRICS_CALIBRATION_DIR=DIR SRSCOPE_ASSETS=... swift test --filter CalibrationTests`.
/// Reference values below are that script's output (crop 4; NIQE on the distorted image).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SRMETRICS_CALIBRATION_DIR"] != nil
                  && Fixture.hasAssets, "needs SRMETRICS_CALIBRATION_DIR and SRSCOPE_ASSETS"))
struct CalibrationTests {
  // name, kind: psnrY, ssimY, psnrRGB, ssimRGB, lpipsAlex, lpipsVGG, niqe
  static let reference: [(String, String, [Double])] = [
    ("astronaut", "bicubic", [26.843902, 0.842936, 25.343157, 0.814418, 0.305357, 0.284149, 7.174404]),
    ("astronaut", "noisy", [33.268931, 0.831438, 28.570776, 0.636983, 0.177959, 0.245960, 6.146512]),
    ("chelsea", "bicubic", [31.475761, 0.806411, 30.051598, 0.781132, 0.366545, 0.314711, 7.924689]),
    ("chelsea", "noisy", [32.956719, 0.817279, 28.129073, 0.654708, 0.264703, 0.305589, 5.501367]),
    ("coffee", "bicubic", [27.292112, 0.764936, 25.799534, 0.736889, 0.369907, 0.319026, 7.698102]),
    ("coffee", "noisy", [33.153571, 0.814011, 28.397058, 0.641406, 0.154692, 0.235920, 8.091734]),
    ("ihc", "bicubic", [28.529509, 0.694967, 27.152219, 0.671494, 0.443597, 0.315465, 7.730471]),
    ("ihc", "noisy", [32.968177, 0.883968, 28.139794, 0.771523, 0.100837, 0.212199, 5.085013]),
  ]

  @Test(arguments: reference.map { ($0.0, $0.1) })
  func matchesReferenceOnWholePhotos(_ name: String, _ kind: String) throws {
    let dir = ProcessInfo.processInfo.environment["SRMETRICS_CALIBRATION_DIR"] ?? ""
    let ref = try #require(Self.reference.first { $0.0 == name && $0.1 == kind }?.2)
    let hr = ColorSpace.quantized255(try PNGCodec.read(contentsOf: "\(dir)/\(name)_hr.png").rgb)
    let sr = ColorSpace.quantized255(try PNGCodec.read(contentsOf: "\(dir)/\(name)_\(kind).png").rgb)
    let a01 = Tensor(shape: hr.shape, data: hr.data.map { $0 / 255 })
    let b01 = Tensor(shape: sr.shape, data: sr.data.map { $0 / 255 })
    let loc = Fixture.assets
    let ours = [
      try PSNR.compute(hr, sr, cropBorder: 4, yChannel: true),
      try SSIM.compute(hr, sr, cropBorder: 4, yChannel: true),
      try PSNR.compute(hr, sr, cropBorder: 4, yChannel: false),
      try SSIM.compute(hr, sr, cropBorder: 4, yChannel: false),
      try LPIPS(backbone: .alex, weightsPath: loc.lpipsWeights(.alex)).distance(a01, b01),
      try LPIPS(backbone: .vgg, weightsPath: loc.lpipsWeights(.vgg)).distance(a01, b01),
      try NIQE(parametersPath: loc.niqeParameters()).score(sr, cropBorder: 4),
    ]
    // PSNR 1e-4 dB, SSIM 1e-5 (reference printed to 1e-6), LPIPS 1e-3, NIQE 1e-3 relative.
    let tolerance = [1e-4, 1e-5, 1e-4, 1e-5, 1e-3, 1e-3, 1e-3 * ref[6]]
    for i in ours.indices {
      #expect(abs(ours[i] - ref[i]) <= tolerance[i], "\(name)/\(kind) metric \(i): \(ours[i]) vs \(ref[i])")
    }
  }
}
