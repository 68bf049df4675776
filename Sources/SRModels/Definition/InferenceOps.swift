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
  ///
  /// oneDNN runs one batch slice per worker, so the image is cut into one band of rows per worker,
  /// each with a row of its neighbours above and below (zero at the image's edges), run as a
  /// batch; each band's first and last output rows (computed with zero padding in place of those
  /// neighbours' neighbours) are dropped.
  private func bf16(_ conv: Conv2d, of layer: ConvLayer, _ variant: String, _ x: Tensor, _ activation: Activation) -> Tensor? {
    let (c, h, w, out) = (x.channels, x.height, x.width, conv.outChannels)
    let bands = max(1, min(Parallel.threads, h / 8))
    let rows = (h + bands - 1) / bands, bandHeight = rows + 2
    guard let dnnl = BF16Convolutions.convolution(key: "\(ObjectIdentifier(layer).hashValue) \(variant)",
                                                  inChannels: c, outChannels: out, n: bands,
                                                  h: bands == 1 ? h : bandHeight, w: w, activation: activation)
    else { return nil }
    guard bands > 1 else {
      guard let y = try? dnnl.forward(x.data, weight: conv.weight.data, bias: conv.bias?.data) else { return nil }
      return Tensor(shape: [out, h, w], data: y)
    }
    var input = [Float](repeating: 0, count: bands * c * bandHeight * w)
    for b in 0..<bands {
      for ch in 0..<c {
        for r in 0..<bandHeight {
          let sy = b * rows - 1 + r
          guard sy >= 0 && sy < h else { continue }
          let dst = ((b * c + ch) * bandHeight + r) * w, src = (ch * h + sy) * w
          input.replaceSubrange(dst..<dst + w, with: x.data[src..<src + w])
        }
      }
    }
    guard let y = try? dnnl.forward(input, weight: conv.weight.data, bias: conv.bias?.data) else { return nil }
    var result = [Float](repeating: 0, count: out * h * w)
    for b in 0..<bands {
      for o in 0..<out {
        for r in 0..<min(rows, h - b * rows) {
          let src = ((b * out + o) * bandHeight + r + 1) * w, dst = (o * h + b * rows + r) * w
          result.replaceSubrange(dst..<dst + w, with: y[src..<src + w])
        }
      }
    }
    return Tensor(shape: [out, h, w], data: result)
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
