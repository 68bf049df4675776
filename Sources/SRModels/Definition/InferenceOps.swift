import SRTensor

/// `LayerOps` on one CHW tensor through the prepared inference kernels: BatchNorm folded into
/// its convolution, activations, residual adds and pixel shuffles fused into the Winograd output
/// pass, dense blocks on one `WinogradFeatureStack` (each map transformed once, no concatenated
/// copies), an upsampling convolution run on the small map (`Conv2d.onNearestUpsampledByTwo`).
///
/// With `precision: .bf16` every convolution runs oneDNN's bf16 kernels instead (the same folded
/// and rewritten weights, bf16 products with fp32 accumulation, activation fused; residual adds,
/// shuffles and the dense concatenation as separate passes).
public final class InferenceOps: LayerOps {
  /// Scratch reused by every dense block of one forward pass, made for the first one's size.
  private var stack: WinogradFeatureStack?
  /// How the convolutions multiply.
  public let precision: ConvPrecision

  public init(precision: ConvPrecision = .fp32) { self.precision = precision }

  /// `activation(conv(x))` through oneDNN bf16, or nil when oneDNN cannot run the shape.
  private func bf16(_ conv: Conv2d, of layer: ConvLayer, _ variant: String, _ x: Tensor, _ activation: Activation) -> Tensor? {
    guard let dnnl = BF16Convolutions.convolution(key: "\(ObjectIdentifier(layer).hashValue) \(variant)",
                                                  inChannels: conv.inChannels, outChannels: conv.outChannels,
                                                  n: 1, h: x.height, w: x.width, activation: activation),
          let y = try? dnnl.forward(x.data, weight: conv.weight.data, bias: conv.bias?.data)
    else { return nil }
    return Tensor(shape: [conv.outChannels, x.height, x.width], data: y)
  }

  public func conv(_ c: ConvLayer, _ x: Tensor, batchNorm bn: BatchNormLayer?, activation: Activation,
                   pixelShuffle: Int) -> Tensor {
    let conv = bn.map { c.folding($0) } ?? c.inference
    if precision == .bf16, let y = bf16(conv, of: c, bn == nil ? "" : "bn", x, activation) {
      return pixelShuffle == 1 ? y : Ops.pixelShuffle(y, factor: pixelShuffle)
    }
    return conv(x, activation, pixelShuffle: pixelShuffle)
  }

  public func conv(_ c: ConvLayer, _ x: Tensor, batchNorm bn: BatchNormLayer?, adding residual: Tensor,
                   scale: Float) -> Tensor {
    let conv = bn.map { c.folding($0) } ?? c.inference
    if precision == .bf16, let y = bf16(conv, of: c, bn == nil ? "" : "bn", x, .none) {
      return Ops.scaledAdd(y, residual, alpha: scale, beta: 1)
    }
    return conv(x, adding: residual, scale: scale)
  }

  public func add(_ a: Tensor, _ b: Tensor, scale: Float) -> Tensor {
    Ops.scaledAdd(a, b, alpha: scale, beta: 1)
  }

  public func denseBlock(_ convs: [ConvLayer], _ x: Tensor, slope: Float, scale: Float) -> Tensor {
    if precision == .bf16 {
      var features = x
      for c in convs.prefix(4) { features = Ops.concat([features, conv(c, features, .leakyReLU(slope))]) }
      return conv(convs[4], features, batchNorm: nil, adding: x, scale: scale)
    }
    let prepared = convs.map(\.inference)
    let kernels = prepared.compactMap(\.preparedWinogradKernel)
    guard kernels.count == prepared.count else {
      var features = x
      for conv in prepared.prefix(4) { features = Ops.concat([features, conv(features, .leakyReLU(slope))]) }
      return prepared[4](features, adding: x, scale: scale)
    }
    let capacity = convs[4].inC
    if stack == nil || stack!.height != x.height || stack!.width != x.width || stack!.capacity < capacity {
      stack = WinogradFeatureStack(height: x.height, width: x.width, capacity: capacity)
    }
    let stack = stack!
    stack.removeAll()
    stack.append(x)
    for kernel in kernels.prefix(4) { stack.append(stack.convolve(kernel, activation: .leakyReLU(slope))) }
    return stack.convolve(kernels[4], residual: x, residualScale: scale)
  }

  public func upsampledConv(_ c: ConvLayer, _ x: Tensor, activation: Activation) -> Tensor {
    if precision == .bf16, let y = bf16(c.upsampledByTwo, of: c, "up2", x, activation) {
      return Ops.pixelShuffle(y, factor: 2)
    }
    return c.upsampledByTwo(x, activation, pixelShuffle: 2)
  }

  public func pixelUnshuffle(_ x: Tensor, factor: Int) -> Tensor { Ops.pixelUnshuffle(x, factor: factor) }

  public func addingBilinearUpsample(_ y: Tensor, of input: Tensor, factor: Int) -> Tensor {
    var out = y
    out.add(Ops.upsampleBilinear(input, factor: factor), scale: 1)
    return out
  }
}

/// `LayerOps` on shapes only, adding up the multiply-accumulates of every convolution.
final class MACCounter: LayerOps {
  struct Shape { var c, h, w: Int }
  private(set) var macs = 0

  func conv(_ c: ConvLayer, _ x: Shape, batchNorm bn: BatchNormLayer?, activation: Activation, pixelShuffle f: Int) -> Shape {
    macs += c.macsPerPixel * x.h * x.w
    return Shape(c: c.outC / (f * f), h: x.h * f, w: x.w * f)
  }

  func conv(_ c: ConvLayer, _ x: Shape, batchNorm bn: BatchNormLayer?, adding residual: Shape, scale: Float) -> Shape {
    conv(c, x, batchNorm: bn, activation: .none, pixelShuffle: 1)
  }

  func add(_ a: Shape, _ b: Shape, scale: Float) -> Shape { a }

  func denseBlock(_ convs: [ConvLayer], _ x: Shape, slope: Float, scale: Float) -> Shape {
    for c in convs { macs += c.macsPerPixel * x.h * x.w }
    return x
  }

  func upsampledConv(_ c: ConvLayer, _ x: Shape, activation: Activation) -> Shape {
    conv(c, Shape(c: x.c, h: 2 * x.h, w: 2 * x.w), batchNorm: nil, activation: activation, pixelShuffle: 1)
  }

  func pixelUnshuffle(_ x: Shape, factor f: Int) -> Shape { Shape(c: x.c * f * f, h: x.h / f, w: x.w / f) }

  func addingBilinearUpsample(_ y: Shape, of input: Shape, factor: Int) -> Shape { y }
}
