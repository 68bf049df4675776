/// A "same" stride-1 convolution whose weights are prepared once for repeated calls.
///
/// 3x3 kernels run Winograd F(4x4, 3x3) (weights transformed in `init`); any other kernel size
/// falls back to `Ops.conv2d` (im2col + SGEMM) with padding `k/2`. See `README.md`.
public final class Conv3x3Kernel: @unchecked Sendable {
  /// The OIHW weights this kernel was built from.
  public let weight: Tensor
  /// The bias (`[out]`), if any.
  public let bias: Tensor?
  /// Winograd-transformed weights, 36 `[out, in]` matrices packed for `WinogradKernels`, or
  /// `nil` when the kernel is not 3x3.
  let transformed: [Float]?
  /// Output and input channels.
  let outChannels, inChannels: Int

  /// Bytes of transformed input + products that one chunk (one worker's buffers) aims for: small
  /// enough to stay in a core's L2 between the three Winograd stages.
  static let chunkBudgetBytes = 384 << 10

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
  /// Maps too small for Winograd to pay (`WinogradPlan.beatsDirect`) run `Ops.conv2d`.
  ///
  /// Fused into the Winograd output transform (each saves a pass and a full-size intermediate map):
  /// - `residual` (the output's shape): the result is `residualScale * that + residual`;
  /// - `pixelShuffle`: the result is written pixel-shuffled by that factor (out channels must be
  ///   a multiple of its square; not combined with `residual`).
  public func callAsFunction(
    _ x: Tensor, activation: Activation = .none, residual: Tensor? = nil, residualScale: Float = 1,
    pixelShuffle: Int = 1
  ) -> Tensor {
    apply(x, activation: activation, residual: residual, residualScale: residualScale,
          pixelShuffle: pixelShuffle, budget: Self.chunkBudgetBytes,
          winograd: WinogradPlan.beatsDirect(height: x.height, width: x.width))
  }

  /// `callAsFunction` with an explicit chunk budget (tests use a tiny one to force many chunks),
  /// instruction set, and path (`winograd: false`, or no 3x3 weights: `Ops.conv2d`).
  func apply(
    _ x: Tensor, activation: Activation, residual: Tensor? = nil, residualScale: Float = 1,
    pixelShuffle: Int = 1, budget: Int, isa: WinogradKernels.ISA = WinogradKernels.active, winograd: Bool = true
  ) -> Tensor {
    let (height, width) = (x.height, x.width)
    precondition(pixelShuffle >= 1 && outChannels % (pixelShuffle * pixelShuffle) == 0,
                 "Conv3x3Kernel: pixel shuffle \(pixelShuffle) for \(outChannels) outputs")
    precondition(residual == nil || pixelShuffle == 1, "Conv3x3Kernel: a residual with a pixel shuffle")
    if let residual {
      precondition(residual.shape == [outChannels, height, width],
                   "Conv3x3Kernel: residual \(residual.shapeDescription) for a \(outChannels)x\(height)x\(width) output")
    }
    guard transformed != nil, winograd else {
      var y = Ops.conv2d(x, weight: weight, bias: bias, stride: 1, padding: weight.shape[2] / 2,
                         activation: activation)
      if let residual { y = Ops.scaledAdd(y, residual, alpha: residualScale, beta: 1) }
      return pixelShuffle == 1 ? y : Ops.pixelShuffle(y, factor: pixelShuffle)
    }
    requireCHW(x, "Conv3x3Kernel")
    precondition(x.channels == inChannels && x.count > 0,
                 "Conv3x3Kernel: input \(x.shapeDescription) for weight \(weight.shapeDescription)")
    let total = outChannels * height * width
    let data = [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
      x.data.withUnsafeBufferPointer { xp in
        WinogradEpilogue.with(activation, residual: residual, residualScale: residualScale) { epilogue in
          var epilogue = epilogue
          epilogue.shuffle = pixelShuffle
          run(xp.baseAddress!, height: height, width: width, epilogue: epilogue,
              out: buffer.baseAddress!, budget: budget, isa: isa)
        }
      }
      initialized = total
    }
    let f = pixelShuffle
    return Tensor(shape: [outChannels / (f * f), height * f, width * f], data: data)
  }

  /// Runs the Winograd convolution of `x` (`[in, height, width]`) into `out` (`[out, height,
  /// width]`, or pixel-shuffled as `epilogue` says).
  func run(
    _ x: UnsafePointer<Float>, height: Int, width: Int, epilogue: WinogradEpilogue,
    out: UnsafeMutablePointer<Float>, budget: Int, isa: WinogradKernels.ISA
  ) {
    let plan = WinogradPlan(inChannels: inChannels, outChannels: outChannels,
                            height: height, width: width, budget: budget)
    let blockStride = inChannels * Winograd.lanes
    runChunks(plan, epilogue: epilogue, out: out, isa: isa) {
      // Per worker: a V buffer and the input transform's scratch.
      let v = UnsafeMutablePointer<Float>.allocate(capacity: plan.vCapacity)
      let scratch = UnsafeMutablePointer<Float>.allocate(
        capacity: WinogradKernels.inputScratchCount(blocksWide: plan.chunkWidth))
      return ChunkInput(release: { v.deallocate(); scratch.deallocate() }) { chunk in
        WinogradKernels.inputTransform(x, channels: self.inChannels, height: height, width: width, chunk: chunk,
                                       v: v, blockStride: blockStride, pointStride: plan.vPointStride,
                                       scratch: scratch, isa: isa)
        return (UnsafePointer(v), plan.vPointStride, blockStride)
      }
    }
  }

  /// Runs the Winograd convolution on an already transformed input of the whole image, laid out
  /// `[36][blocks][*][16]` (tile blocks row-major, point stride `stackPointStride`, block stride
  /// `stackBlockStride`), of which the first `inChannels` channels of every block are read.
  func run(
    stack: UnsafePointer<Float>, stackPointStride: Int, stackBlockStride: Int, height: Int, width: Int,
    epilogue: WinogradEpilogue, out: UnsafeMutablePointer<Float>, budget: Int, isa: WinogradKernels.ISA
  ) {
    // Only M is buffered: the products read V from the stack in place (a chunk's blocks are
    // consecutive there: whole tile rows, or part of one).
    let plan = WinogradPlan(inChannels: inChannels, outChannels: outChannels,
                            height: height, width: width, budget: budget, budgetedChannels: outChannels)
    runChunks(plan, epilogue: epilogue, out: out, isa: isa) {
      ChunkInput(release: {}) { chunk in
        (stack + (chunk.ty0 * plan.blocksX + chunk.bx0) * stackBlockStride, stackPointStride, stackBlockStride)
      }
    }
  }

  /// How a worker gets each chunk's transformed input: `supply(chunk)` gives its start, point
  /// stride and block stride; `release` frees the worker's buffers.
  private struct ChunkInput {
    let release: () -> Void
    let supply: (WinogradPlan.Chunk) -> (v: UnsafePointer<Float>, pointStride: Int, blockStride: Int)
  }

  /// The chunk loop of both entry points, parallel over chunks: each worker makes its
  /// `ChunkInput` and an M buffer once, then per chunk runs the input supply, the 36 products
  /// and the output transform with bias and `epilogue`, all on its own thread.
  private func runChunks(
    _ plan: WinogradPlan, epilogue: WinogradEpilogue, out: UnsafeMutablePointer<Float>, isa: WinogradKernels.ISA,
    makeInput: () -> ChunkInput
  ) {
    transformed!.withUnsafeBufferPointer { up in
      (bias?.data ?? []).withUnsafeBufferPointer { bp in
        let b = bias == nil ? nil : bp.baseAddress
        Parallel.forEachRange(plan.chunkCount) { chunks in
          let input = makeInput()
          let m = UnsafeMutablePointer<Float>.allocate(capacity: plan.mCapacity)
          defer { m.deallocate(); input.release() }
          for i in chunks {
            let chunk = plan.chunk(i)
            let v = input.supply(chunk)
            WinogradKernels.multiply(u: up.baseAddress!, out: outChannels, in: inChannels, v: v.v,
                                     vPointStride: v.pointStride, vBlockStride: v.blockStride,
                                     m: m, mPointStride: plan.mPointStride, blocks: chunk.blocks, isa: isa)
            WinogradKernels.outputTransform(m, outChannels: outChannels, pointStride: plan.mPointStride,
                                            height: plan.height, width: plan.width, chunk: chunk, bias: b,
                                            epilogue: epilogue, out: out, isa: isa)
          }
        }
      }
    }
  }
}
