import Foundation
import Testing
import SRTrain

/// Trainer speed (run with `SRTRAIN_BENCH=1 swift test -c release --filter TrainerBenchmark`):
/// SRResNet nf 32 nb 4, batch 8, HR patch 64, x4; GFLOP/s counts 2·MACs·3 for forward+backward.
@Suite struct TrainerBenchmark {
  @Test(.enabled(if: ProcessInfo.processInfo.environment["SRTRAIN_BENCH"] != nil)) func srresnetSpeed() throws {
    let dir = try syntheticFolder("bench")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let recipe = Recipe(name: "bench", architecture: .init(type: "srresnet", num_feat: 32, num_block: 4, batch_norm: false, scale: 4),
                        data: .init(hr_folders: [dir + "/hr"], hr_patch: 64, batch: 8), loss: "l1",
                        optimizer: .init(lr: 1e-4), schedule: nil, iterations: 20, seed: 1, init: .msra01,
                        snapshot_interval: 1000, validation_interval: 1000, fp16: false)
    let macs = try recipe.makeNetwork().macsPerInputPixel * 16 * 16 * 8
    let t0 = Date()
    _ = try Trainer.run(recipe: recipe, runFolder: dir + "/run", resume: false, threads: 2, commandLine: ["bench"])
    let s = Date().timeIntervalSince(t0)
    let gflops = 2 * Double(macs) * 3 * 20 / s / 1e9
    print("BENCH srresnet nf32 nb4 b8 p64 x4: \(String(format: "%.2f it/s, %.2f GFLOP/s", 20 / s, gflops))")
    #expect(s > 0)
  }
}
