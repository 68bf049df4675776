import Foundation
import Testing
import SRFormats
import SRModels
import SRTensor
import SRTestSupport
@testable import SRTrain

/// Tiny networks of each family (nf 4), initialised with the PyTorch default scheme.
func tinyNetworks() throws -> [(String, TrainableNetwork)] {
  [("srresnet-bn", try TrainableNetwork.srresnet(numFeat: 4, numBlock: 1, scale: 4, batchNorm: true)),
   ("srresnet", try TrainableNetwork.srresnet(numFeat: 4, numBlock: 1, scale: 2, batchNorm: false)),
   ("rrdbnet", try TrainableNetwork.rrdbnet(numFeat: 4, numBlock: 1, numGrow: 2, scale: 4)),
   ("rrdbnet-rs1", try TrainableNetwork.rrdbnet(numFeat: 4, numBlock: 1, numGrow: 2, scale: 4, residualScale: 1)),
   ("msrresnet", try TrainableNetwork.msrresnet(numFeat: 4, numBlock: 1, scale: 4))]
}

func initialised(_ net: TrainableNetwork, seed: UInt64 = 1) -> TrainableNetwork {
  var rng = TrainRNG(seed: seed)
  net.initialise(.pytorch, rng: &rng)
  return net
}

@Suite struct NetworkTests {
  /// Whole-network gradient check (covers concat slices, scaled adds, skips, BN in context):
  /// analytic dL/dθ vs central differences of the Float32 forward (best of h = 3e-3, 1e-3, 3e-4;
  /// loss accumulated in Double), on 2 entries of every weight tensor. Tolerance 1e-2 relative
  /// (Float32 forward noise and kink crossings); a wrong backward path gives O(1) errors.
  @Test(arguments: 0..<5) func wholeNetworkGradient(index: Int) throws {
    let (name, net) = try tinyNetworks()[index]
    _ = initialised(net)
    var rng = SeededGenerator(seed: 7)
    let x = FeatureBatch(n: 2, c: 3, h: 4, w: 4, data: rng.floats(96, in: 0...1))
    let y0 = net.forward(x, training: true)
    let g = rng.floats(y0.count)
    let loss = { () -> Double in
      let y = net.forward(x, training: true)
      var s = 0.0
      for i in g.indices { s += Double(g[i]) * Double(y.data[i]) }
      return s
    }
    net.zeroGrad()
    _ = net.forward(x, training: true)
    net.backward(FeatureBatch(n: y0.n, c: y0.c, h: y0.h, w: y0.w, data: g))
    // Weights only: a bias shifts every pixel of its channel, so in HR-space layers some of the
    // 512 pre-activations sit within h of a ReLU kink (measured up to 4.7% error on conv_hr.bias
    // at every h); bias gradients are checked exactly in Double by `convGradients`.
    let params = net.parameters.filter { $0.shape.count == 4 }
    var worst = 0.0
    for k in 0..<2 * params.count {
      let p = params[k / 2]
      let i = (k * 13) % p.value.count
      let analytic = Double(p.grad[i])
      let v = p.value[i]
      // ReLU kinks crossed by a perturbation bias one step size, Float noise the other: take the
      // best of three step sizes (a wiring error is wrong at every step size).
      let e = [Float(3e-3), 1e-3, 3e-4].map { h -> Double in
        p.value[i] = v + h; let a = loss()
        p.value[i] = v - h; let b = loss()
        p.value[i] = v
        let numeric = (a - b) / Double(2 * h)
        return abs(analytic - numeric) / max(1, abs(numeric))
      }.min()!
      worst = max(worst, e)
    }
    #expect(worst < 1e-2, "\(name): worst relative gradient error \(worst)")
  }

  /// A checkpoint written by the trainer loads with `ModelLoader.load(path:)` and the inference
  /// forward equals the trainer's eval forward bit for bit (one definition, the same kernels) (index 3: residual scale 1, read from metadata) (BN nets use the running statistics
  /// after 3 training steps, so BN eval mode is exercised).
  @Test(arguments: [0, 1, 2, 3, 4]) func checkpointLoadsInInference(index: Int) throws {
    let (name, net) = try tinyNetworks()[index]
    _ = initialised(net)
    var rng = SeededGenerator(seed: 4)
    for _ in 0..<3 {
      _ = net.forward(FeatureBatch(n: 2, c: 3, h: 4, w: 4, data: rng.floats(96, in: 0...1)), training: true)
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("srtrain-ckpt-\(name)-\(getpid())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let recipe = Recipe.tiny(type: "srresnet", folder: dir)
    try Checkpoint.save(network: net, adam: Adam(), rng: TrainRNG(seed: 1), recipe: recipe, iteration: 3,
                        elapsed: 0, folder: dir)
    let loaded = try ModelLoader.load(path: Checkpoint.weightsPath(dir, 3))
    let x = Tensor(shape: [3, 5, 6], data: rng.floats(90, in: 0...1))
    let ours = net.infer(x), theirs = loaded.network.forward(x, progress: nil)
    #expect(ours.shape == theirs.shape)
    let diff = zip(ours.data, theirs.data).map { abs($0 - $1) }.max() ?? .infinity
    #expect(diff == 0, "\(name): max |trainer - inference| = \(diff)")
    #expect(loaded.metadata["iteration"] == "3")
  }
}

extension Recipe {
  /// A tiny recipe on the PNG folder `folder` (nf 4, 1 block, x4, 16x16 HR patches, batch 4).
  static func tiny(type: String, folder: String, iterations: Int = 30, batchNorm: Bool = true) -> Recipe {
    Recipe(name: "tiny-\(type)",
           architecture: .init(type: type, num_feat: 4, num_block: 1, num_grow_ch: 2, batch_norm: batchNorm, scale: 4),
           data: .init(hr_folders: [folder], hr_patch: 16, batch: 4), loss: "l1",
           optimizer: .init(lr: 1e-2), schedule: .init(type: "cosine", min_lr: 1e-3),
           iterations: iterations, seed: 42, init: .pytorch, snapshot_interval: 10, validation_interval: 10,
           fp16: false)
  }
}
