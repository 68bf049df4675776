import SRTensor

/// The operations an architecture's forward pass is written with, once
/// (`LayeredNetwork.graph`), and run by whichever implementation is given:
/// - `InferenceOps`: CHW tensors through the fused, prepared inference kernels;
/// - SRTrain's tape: NCHW batches, each operation recording its backward;
/// - `MACCounter`: shapes only, counting multiply-accumulates.
public protocol LayerOps {
  /// A feature map (or a batch of them, or just its shape).
  associatedtype Value

  /// `activation(bn(conv(x)))`, written pixel-shuffled by `pixelShuffle` (activations commute
  /// with the shuffle). `bn` runs in inference or training mode as the implementation does.
  func conv(_ c: ConvLayer, _ x: Value, batchNorm bn: BatchNormLayer?, activation: Activation, pixelShuffle: Int) -> Value

  /// `scale * bn(conv(x)) + residual` (`residual` has the output's shape).
  func conv(_ c: ConvLayer, _ x: Value, batchNorm bn: BatchNormLayer?, adding residual: Value, scale: Float) -> Value

  /// `scale * a + b`.
  func add(_ a: Value, _ b: Value, scale: Float) -> Value

  /// ESRGAN's residual dense block: `x + scale * c5([x, x1, x2, x3, x4])`,
  /// `xk = leakyReLU(ck([x, x1, ..]), slope)`; `convs` are the five convolutions.
  func denseBlock(_ convs: [ConvLayer], _ x: Value, slope: Float, scale: Float) -> Value

  /// `activation(conv(nearestUpsample(x, 2)))`.
  func upsampledConv(_ c: ConvLayer, _ x: Value, activation: Activation) -> Value

  /// PixelUnshuffle by `factor` (`[c, h, w]` to `[c·f², h/f, w/f]`).
  func pixelUnshuffle(_ x: Value, factor: Int) -> Value

  /// `y + bilinearUpsample(input, factor)`, where `input` is the network's input (no gradient
  /// flows to it).
  func addingBilinearUpsample(_ y: Value, of input: Value, factor: Int) -> Value
}

extension LayerOps {
  /// `activation(conv(x))`.
  public func conv(_ c: ConvLayer, _ x: Value, _ activation: Activation = .none) -> Value {
    conv(c, x, batchNorm: nil, activation: activation, pixelShuffle: 1)
  }

  /// `conv(x) + residual`.
  public func conv(_ c: ConvLayer, _ x: Value, adding residual: Value) -> Value {
    conv(c, x, batchNorm: nil, adding: residual, scale: 1)
  }
}
