import SRFormats
import SRTensor

/// Detects the architecture of a canonical state dict from key names and tensor shapes (never
/// from file names) and builds it. The whole list of supported families is here, in one place.
public enum ArchitectureRegistry {
  /// A detector: returns nil when the keys are not of its family.
  struct Entry: Sendable {
    let name: String
    let marker: String  // a key whose presence makes this family the closest guess
    let build: @Sendable (StateDict) throws -> (any SuperResolutionNetwork)?
  }

  static let entries: [Entry] = [
    Entry(name: "RRDBNet", marker: "body.0.rdb1.conv1.weight", build: buildRRDBNet),
    Entry(name: "MSRResNet", marker: "body.0.conv1.weight", build: buildMSRResNet),
    Entry(name: "SRResNet (2018)", marker: "model.1.sub.0.res.0.weight", build: buildSRResNet),
    Entry(name: "SRVGGNetCompact", marker: "body.1.weight", build: buildSRVGG),
  ]

  /// Builds the network that `dict` (already in canonical keys) describes, followed by the
  /// resize its `post_resize` metadata names, if any (`PostResizedNetwork`).
  public static func build(_ dict: StateDict) throws -> any SuperResolutionNetwork {
    for entry in entries {
      if let net = try entry.build(dict) { return try applyPostResize(net, metadata: dict.metadata) }
    }
    let closest = entries.first { dict.tensors[$0.marker] != nil }?.name
    throw ModelLoadError.unknownArchitecture(closest: closest, sampleKeys: Array(dict.keys.prefix(4)))
  }

  static func shape(_ d: StateDict, _ key: String) -> [Int]? { d.tensors[key]?.shape }

  static func buildRRDBNet(_ d: StateDict) throws -> (any SuperResolutionNetwork)? {
    guard let first = shape(d, "conv_first.weight"), first.count == 4,
          let g = shape(d, "body.0.rdb1.conv1.weight"), g.count == 4,
          let last = shape(d, "conv_last.weight"), last.count == 4 else { return nil }
    let outCh = last[0]
    let scale: Int
    switch first[1] {
    case outCh: scale = 4
    case 4 * outCh: scale = 2
    case 16 * outCh: scale = 1
    default: throw ModelLoadError.unsupported("RRDBNet conv_first has \(first[1]) input channels for \(outCh) output channels")
    }
    let c = RRDBNet.Config(inChannels: first[1] / (scale == 4 ? 1 : scale == 2 ? 4 : 16), outChannels: outCh,
                           scale: scale, numFeat: first[0], numBlock: countIndexed(d.tensors.keys, prefix: "body."),
                           numGrow: g[0], residualScale: Float(d.metadata["residual_scale"] ?? "") ?? 0.2)
    return try RRDBNet(config: c, weights: d)
  }

  static func buildMSRResNet(_ d: StateDict) throws -> (any SuperResolutionNetwork)? {
    guard let first = shape(d, "conv_first.weight"), first.count == 4, d.tensors["body.0.conv1.weight"] != nil,
          let up1 = shape(d, "upconv1.weight"), let last = shape(d, "conv_last.weight") else { return nil }
    let nf = first[0]
    var scale = 4
    if d.tensors["upconv2.weight"] == nil {
      let s2 = up1[0] / max(1, nf)
      scale = s2 == 9 ? 3 : (s2 == 4 ? 2 : 0)
    }
    let c = MSRResNet.Config(inChannels: first[1], outChannels: last[0], numFeat: nf,
                             numBlock: countIndexed(d.tensors.keys, prefix: "body."), scale: scale)
    return try MSRResNet(config: c, weights: d)
  }

  static func buildSRResNet(_ d: StateDict) throws -> (any SuperResolutionNetwork)? {
    guard let first = shape(d, "model.0.weight"), first.count == 4,
          d.tensors["model.1.sub.0.res.0.weight"] != nil, let up = shape(d, "model.2.weight") else { return nil }
    let nf = first[0]
    let bn = d.tensors["model.1.sub.0.res.1.running_mean"] != nil
    var nb = 0
    while d.tensors["model.1.sub.\(nb).res.0.weight"] != nil { nb += 1 }
    let f2 = up[0] / max(1, nf)
    let scale = f2 == 9 ? 3 : (d.tensors["model.5.weight"].map { $0.shape.first == 4 * nf } ?? false ? 4 : 2)
    let lastIndex = 4 + 3 * (scale == 4 ? 2 : 1)
    guard let last = shape(d, "model.\(lastIndex).weight") else {
      throw ModelLoadError.missingKeys(["model.\(lastIndex).weight"])
    }
    let c = SRResNet.Config(inChannels: first[1], outChannels: last[0], numFeat: nf, numBlock: nb,
                            scale: scale, batchNorm: bn)
    return try SRResNet(config: c, weights: d)
  }

  static func buildSRVGG(_ d: StateDict) throws -> (any SuperResolutionNetwork)? {
    if let act = d.metadata["ncnn.act_type"], act != "prelu" {
      // The ncnn mapper recognises SRVGG exports with ReLU / LeakyReLU fused into the convs; only
      // the PReLU variant (every Real-ESRGAN release) is implemented here.
      throw ModelLoadError.unsupported("SRVGGNetCompact with act_type \(act); only prelu is supported")
    }
    guard let first = shape(d, "body.0.weight"), first.count == 4,
          let act = shape(d, "body.1.weight"), act.count == 1 else { return nil }
    let convCount = countIndexed(d.tensors.keys, prefix: "body.")  // 2*numConv + 3 indices
    let numConv = (convCount - 3) / 2
    guard numConv >= 1, let last = shape(d, "body.\(2 * (numConv + 1)).weight") else {
      throw ModelLoadError.unsupported("SRVGGNetCompact with \(convCount) body entries")
    }
    let inCh = first[1]
    let s2 = last[0] / max(1, inCh)
    let scale = Int(Double(s2).squareRoot().rounded())
    guard scale * scale * inCh == last[0] else {
      throw ModelLoadError.unsupported("SRVGGNetCompact last conv has \(last[0]) outputs for \(inCh) channels")
    }
    let c = SRVGGNetCompact.Config(inChannels: inCh, outChannels: inCh, numFeat: first[0], numConv: numConv, scale: scale)
    return try SRVGGNetCompact(config: c, weights: d)
  }
}
