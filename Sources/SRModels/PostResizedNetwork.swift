import SRFormats
import SRTensor

/// A network whose whole output is then resized by a fixed factor: ncnn's `Interp` after the net.
///
/// realesr-animevideov3 `-x2` / `-x3` are an x4 SRVGGNetCompact followed by a bicubic ×0.5 / ×0.75
/// (SR-SPEC §2.7), so their real scale is 2 / 3; `scale` reports that, and `forward` returns
/// `[C, H·scale, W·scale]`. The resize is kept as `InterpResize.metadataKey` metadata in
/// `stateDict()`, so a converted checkpoint loads back as the same model. `Upscaler` tiles the
/// base network and resizes the assembled output once (a per-tile bicubic resize is not exact at
/// the seams: the fractions are taken from float coordinates whose precision depends on the offset).
public struct PostResizedNetwork: SuperResolutionNetwork {
  /// The network before the resize.
  public let base: any SuperResolutionNetwork
  /// The resize applied to the base network's output.
  public let resize: InterpResize
  /// `base.scale × resize.factor`, a whole number.
  public let scale: Int

  /// Wraps `base`; the overall scale must be a whole number ≥ 1, so that the output is exactly
  /// `scale` times the input for every size.
  /// - Throws: `ModelLoadError.unsupported` otherwise.
  public init(base: any SuperResolutionNetwork, resize: InterpResize) throws {
    let overall = Double(base.scale) * Double(resize.factor)  // exact: float × small int
    guard overall >= 1, overall == overall.rounded(), overall <= 64 else {
      throw ModelLoadError.unsupported("post_resize '\(resize.metadataValue)' turns the network's x\(base.scale) "
        + "into x\(Float(overall)); only whole scales are supported")
    }
    self.base = base
    self.resize = resize
    self.scale = Int(overall)
  }

  /// The base architecture with `post_resize` (e.g. `bicubic ×0.5`) appended to its hyperparameters.
  public var architecture: ArchitectureDescription {
    let a = base.architecture
    return ArchitectureDescription(name: a.name, hyperparameters: a.hyperparameters + [("post_resize", resize.description)])
  }

  public var inputMultiple: Int { base.inputMultiple }
  public var parameterCount: Int { base.parameterCount }
  public var bytesPerInputPixel: Int { base.bytesPerInputPixel }

  /// The base network's output, resized: `[C, H·scale, W·scale]`.
  public func forward(_ x: Tensor, progress: ((Double) -> Void)?) -> Tensor {
    resize(base.forward(x, progress: progress))
  }

  /// The base network's weights, with the resize under `InterpResize.metadataKey`.
  public func stateDict() -> StateDict {
    var d = base.stateDict()
    d.metadata[InterpResize.metadataKey] = resize.metadataValue
    return d
  }
}

extension ArchitectureRegistry {
  /// `net` followed by the resize named in `metadata` (`post_resize`), or `net` when there is none.
  /// - Throws: `ModelLoadError.unsupported` for a malformed value or a non-whole overall scale.
  static func applyPostResize(_ net: any SuperResolutionNetwork, metadata: [String: String]) throws
    -> any SuperResolutionNetwork {
    guard let text = metadata[InterpResize.metadataKey] else { return net }
    guard let resize = InterpResize(metadataValue: text) else {
      throw ModelLoadError.unsupported("metadata \(InterpResize.metadataKey) = '\(text)' is not "
        + "'<nearest|bilinear|bicubic> <factor>[ align_corner]'")
    }
    return try PostResizedNetwork(base: net, resize: resize)
  }
}
