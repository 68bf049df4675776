import SRFormats
import SRTensor

/// BasicSR's RRDBNet (ESRGAN generator), SR-SPEC §1.2, under BasicSR key names: one definition
/// (`graph`) for inference and training.
public final class RRDBNet: LayeredNetwork, @unchecked Sendable {
  /// Hyperparameters, detected from shapes.
  public struct Config: Sendable, Equatable {
    public var inChannels = 3, outChannels = 3, scale = 4
    public var numFeat = 64, numBlock = 23, numGrow = 32
    /// Scaling of every RDB and RRDB residual: 0.2 in ESRGAN. Not visible in the weights, so it
    /// is read from checkpoint metadata (`residual_scale`, written by SRScope's trainer).
    public var residualScale: Float = 0.2
    public init(inChannels: Int = 3, outChannels: Int = 3, scale: Int = 4,
                numFeat: Int = 64, numBlock: Int = 23, numGrow: Int = 32, residualScale: Float = 0.2) {
      self.inChannels = inChannels; self.outChannels = outChannels; self.scale = scale
      self.numFeat = numFeat; self.numBlock = numBlock; self.numGrow = numGrow; self.residualScale = residualScale
    }
  }

  public let config: Config
  let convFirst: ConvLayer
  /// `[numBlock][3]` dense blocks of five convolutions each.
  let blocks: [[[ConvLayer]]]
  let convBody, convUp1, convUp2, convHR, convLast: ConvLayer

  static let slope: Float = 0.2

  /// The network with zero weights (the trainer initialises them).
  public init(config c: Config) {
    config = c
    let unshuffle = c.scale == 4 ? 1 : (c.scale == 2 ? 4 : 16)
    convFirst = ConvLayer("conv_first", in: c.inChannels * unshuffle, out: c.numFeat)
    blocks = (0..<c.numBlock).map { b in
      (1...3).map { k in
        (1...5).map { i in
          ConvLayer("body.\(b).rdb\(k).conv\(i)", in: c.numFeat + (i - 1) * c.numGrow, out: i == 5 ? c.numFeat : c.numGrow)
        }
      }
    }
    convBody = ConvLayer("conv_body", in: c.numFeat, out: c.numFeat)
    convUp1 = ConvLayer("conv_up1", in: c.numFeat, out: c.numFeat)
    convUp2 = ConvLayer("conv_up2", in: c.numFeat, out: c.numFeat)
    convHR = ConvLayer("conv_hr", in: c.numFeat, out: c.numFeat)
    convLast = ConvLayer("conv_last", in: c.numFeat, out: c.outChannels)
  }

  /// Reads the network from a BasicSR-keyed state dict, checking every shape.
  public convenience init(config c: Config, weights: StateDict) throws {
    self.init(config: c)
    try load(weights)
  }

  public var tensors: [Parameter] {
    convFirst.parameters + blocks.joined().joined().flatMap(\.parameters)
      + [convBody, convUp1, convUp2, convHR, convLast].flatMap(\.parameters)
  }

  public var scale: Int { config.scale }
  public var inputMultiple: Int { config.scale == 4 ? 1 : (config.scale == 2 ? 2 : 4) }

  public var architecture: ArchitectureDescription {
    ArchitectureDescription(name: "RRDBNet", hyperparameters: [
      ("num_in_ch", "\(config.inChannels)"), ("num_out_ch", "\(config.outChannels)"),
      ("scale", "\(config.scale)"), ("num_feat", "\(config.numFeat)"),
      ("num_block", "\(config.numBlock)"), ("num_grow_ch", "\(config.numGrow)"),
    ] + (config.residualScale == 0.2 ? [] : [("residual_scale", "\(config.residualScale)")]))
  }

  public var bytesPerInputPixel: Int {
    // Peak is in HR space (scale^2 output pixels per input pixel): about three live
    // num_feat-channel maps there. The LR trunk holds the dense block's Winograd stack
    // (36/16 floats per channel and pixel, nf + 4 gc channels) and three nf-channel maps.
    let s2 = config.scale * config.scale
    let stack = 9 * (config.numFeat + 4 * config.numGrow) / 4
    return 4 * (3 * config.numFeat * s2 + stack + 3 * config.numFeat)
  }

  public func graph<L: LayerOps>(_ ops: L, _ x: L.Value, progress: ((Double) -> Void)?) -> L.Value {
    let rs = config.residualScale
    let feat = ops.conv(convFirst, inputMultiple == 1 ? x : ops.pixelUnshuffle(x, factor: inputMultiple))
    var body = feat
    for (b, rrdb) in blocks.enumerated() {
      var out = body
      for rdb in rrdb { out = ops.denseBlock(rdb, out, slope: Self.slope, scale: rs) }
      body = ops.add(out, body, scale: rs)
      progress?(Double(b + 1) / Double(blocks.count + 1))
    }
    var h = ops.conv(convBody, body, adding: feat)
    h = ops.upsampledConv(convUp1, h, activation: .leakyReLU(Self.slope))
    h = ops.upsampledConv(convUp2, h, activation: .leakyReLU(Self.slope))
    let out = ops.conv(convLast, ops.conv(convHR, h, .leakyReLU(Self.slope)))
    progress?(1)
    return out
  }
}
