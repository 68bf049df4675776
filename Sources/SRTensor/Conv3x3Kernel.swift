/// A "same" stride-1 convolution whose weights are prepared once for repeated calls.
///
/// 3x3 kernels run Winograd F(4x4, 3x3) (weights transformed in `init`); any other kernel size
/// falls back to `Ops.conv2d` (im2col + SGEMM) with padding `k/2`. See `README.md`.
public final class Conv3x3Kernel: @unchecked Sendable {
  /// The OIHW weights this kernel was built from.
  public let weight: Tensor
  /// The bias (`[out]`), if any.
  public let bias: Tensor?
  /// Winograd-transformed weights, 36 `[out, in]` matrices packed for `WinogradProducts`, or
  /// `nil` when the kernel is not 3x3.
  let transformed: [Float]?
  /// Output and input channels.
  let outChannels, inChannels: Int

  /// Upper bound on the transformed input + GEMM output buffers of one call, in bytes.
  static let chunkBudgetBytes = 6 << 20

  /// Prepares `weight` (OIHW `[out, in, k, k]`) and optional `bias` (`[out]`).
  public init(weight: Tensor, bias: Tensor?) {
    precondition(weight.rank == 4, "Conv3x3Kernel: weight \(weight.shapeDescription) is not OIHW")
    if let bias {
      precondition(bias.count == weight.shape[0],
                   "Conv3x3Kernel: bias \(bias.shapeDescription) for weight \(weight.shapeDescription)")
    }
    self.weight = weight
    self.bias = bias
    outChannels = weight.shape[0]
    inChannels = weight.shape[1]
    transformed = weight.shape[2] == 3 && weight.shape[3] == 3 && weight.count > 0
      ? Winograd.transformWeights(weight.data, out: outChannels, in: inChannels) : nil
  }

  /// Whether calls run the Winograd path.
  public var usesWinograd: Bool { transformed != nil }

  /// `activation(conv(x, weight) + bias)` with zero padding `k/2` and stride 1; `x` is CHW.
  public func callAsFunction(_ x: Tensor, activation: Activation = .none) -> Tensor {
    apply(x, activation: activation, budget: Self.chunkBudgetBytes)
  }

  /// `callAsFunction` with an explicit chunk budget (tests use a tiny one to force many chunks).
  func apply(_ x: Tensor, activation: Activation, budget: Int) -> Tensor {
    guard transformed != nil else {
      return Ops.conv2d(x, weight: weight, bias: bias, stride: 1, padding: weight.shape[2] / 2,
                        activation: activation)
    }
    requireCHW(x, "Conv3x3Kernel")
    precondition(x.channels == inChannels && x.count > 0,
                 "Conv3x3Kernel: input \(x.shapeDescription) for weight \(weight.shapeDescription)")
    let total = outChannels * x.height * x.width
    let data = [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
      x.data.withUnsafeBufferPointer { xp in
        run(xp.baseAddress!, height: x.height, width: x.width, activation: activation,
            out: buffer.baseAddress!, budget: budget)
      }
      initialized = total
    }
    return Tensor(shape: [outChannels, x.height, x.width], data: data)
  }

  /// Runs the Winograd convolution of `x` (`[in, height, width]`) into `out` (`[out, height, width]`).
  func run(
    _ x: UnsafePointer<Float>, height: Int, width: Int, activation: Activation,
    out: UnsafeMutablePointer<Float>, budget: Int
  ) {
    let plan = WinogradPlan(inChannels: inChannels, outChannels: outChannels,
                            height: height, width: width, budget: budget)
    let v = UnsafeMutablePointer<Float>.allocate(capacity: plan.vCapacity)
    defer { v.deallocate() }
    runChunks(plan, epilogue: WinogradEpilogue(activation), out: out) { ty0, rows in
      plan.inputTransform(x, ty0: ty0, rows: rows, v: v)
      return (UnsafePointer(v), plan.vPointStride, inChannels * Winograd.lanes)
    }
  }

  /// Runs the Winograd convolution on an already transformed input of the whole image, laid out
  /// `[36][blocks][*][16]` (point stride `stackPointStride`, block stride `stackBlockStride`),
  /// of which the first `inChannels` channels of every block are read.
  func run(
    stack: UnsafePointer<Float>, stackPointStride: Int, stackBlockStride: Int, height: Int, width: Int,
    epilogue: WinogradEpilogue, out: UnsafeMutablePointer<Float>, budget: Int
  ) {
    // Only M is buffered: the products read V from the stack in place.
    let plan = WinogradPlan(inChannels: inChannels, outChannels: outChannels,
                            height: height, width: width, budget: budget, budgetedChannels: outChannels)
    runChunks(plan, epilogue: epilogue, out: out) { ty0, _ in
      (stack + ty0 * plan.blocksX * stackBlockStride, stackPointStride, stackBlockStride)
    }
  }

  /// The chunk loop of both entry points: per chunk of tile rows, `input(ty0, rows)` supplies the
  /// transformed input (start, point stride, block stride), then the 36 products and the output
  /// transform with bias and `epilogue`.
  private func runChunks(
    _ plan: WinogradPlan, epilogue: WinogradEpilogue, out: UnsafeMutablePointer<Float>,
    input: (_ ty0: Int, _ rows: Int) -> (v: UnsafePointer<Float>, pointStride: Int, blockStride: Int)
  ) {
    let m = UnsafeMutablePointer<Float>.allocate(capacity: plan.mCapacity)
    defer { m.deallocate() }
    transformed!.withUnsafeBufferPointer { up in
      (bias?.data ?? []).withUnsafeBufferPointer { bp in
        let b = bias == nil ? nil : bp.baseAddress
        var ty0 = 0
        while ty0 < plan.tileRows {
          let rows = min(plan.rowsPerChunk, plan.tileRows - ty0)
          let v = input(ty0, rows)
          WinogradProducts.multiply(u: up.baseAddress!, out: outChannels, in: inChannels, v: v.v,
                                    vPointStride: v.pointStride, vBlockStride: v.blockStride,
                                    m: m, mPointStride: plan.mPointStride, blocks: rows * plan.blocksX)
          plan.outputTransform(m, ty0: ty0, rows: rows, bias: b, epilogue: epilogue, out: out)
          ty0 += rows
        }
      }
    }
  }
}
