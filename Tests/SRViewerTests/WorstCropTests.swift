import SRTensor
import Testing
@testable import SRViewer

@Suite struct WorstCropTests {
  @Test func findsAPlantedDefect() {
    let hr = Tensor(channels: 3, height: 64, width: 96, repeating: 0.5)
    var sr = hr
    for y in 40..<48 { for x in 70..<78 { for c in 0..<3 { sr[c, y, x] = 1 } } }   // 8x8 defect, |d| = 0.5
    sr[0, 2, 2] = 0.6  // small noise elsewhere
    let ranked = WorstCrop.rank(sr, hr, size: 16, stride: 8)
    let top = try! #require(ranked.first)
    // Windows at y 32 and 40 both contain the whole defect (rows 40..47); ties go to scan order (smaller y).
    #expect(top.crop == CropRect(x: 64, y: 32, width: 16, height: 16))
    // Naive reference: 64 defect pixels * 3 channels * 0.5 / (16*16*3) = 0.125.
    #expect(abs(top.meanAbsDifference - 0.125) < 1e-6)
    #expect(ranked.allSatisfy { $0.crop.x + 16 <= 96 && $0.crop.y + 16 <= 64 })
  }

  @Test func rejectsMismatchedShapes() {
    #expect(WorstCrop.rank(Tensor(channels: 3, height: 8, width: 8), Tensor(channels: 3, height: 8, width: 9),
                           size: 4, stride: 2).isEmpty)
  }
}
