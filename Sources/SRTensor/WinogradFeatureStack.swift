/// The Winograd-transformed input of a dense block, kept for all of the block's convolutions.
///
/// In an ESRGAN residual dense block, conv `k` reads the concatenation of the block input and
/// the outputs of convs `1..<k`. Transforming that concatenation for every conv repeats the
/// input transform of the early channels up to five times (640 channel transforms instead of
/// 192 for RRDBNet 64/32). A stack transforms each channel once, when it is appended, into
/// `V[36][blocks][capacity][16]` covering the whole image (tiles in blocks of 16 as
/// `WinogradPlan` groups them); a conv then multiplies its transformed weights with the first
/// `inChannels` channels of every block. No concatenated feature map is ever built.
public final class WinogradFeatureStack {
  /// Spatial size of every appended map.
  public let height, width: Int
  /// Channels the stack can hold.
  public let capacity: Int
  /// Channels appended so far.
  public private(set) var channels = 0
  /// Tile rows and tile blocks per tile row of the whole image.
  let tileRows, blocksX: Int
  /// Floats between transform points and between tile blocks.
  let pointStride, blockStride: Int
  private let v: UnsafeMutablePointer<Float>

  /// An empty stack for `capacity` channels of `height` x `width` maps.
  public init(height: Int, width: Int, capacity: Int) {
    precondition(height > 0 && width > 0 && capacity > 0,
                 "WinogradFeatureStack: bad size \(capacity)x\(height)x\(width)")
    self.height = height; self.width = width; self.capacity = capacity
    (tileRows, blocksX, pointStride) = Self.geometry(height: height, width: width, capacity: capacity)
    blockStride = capacity * Winograd.lanes
    v = .allocate(capacity: Winograd.points * pointStride)
  }

  /// Tile rows, tile blocks per tile row and point stride of a stack of this size.
  private static func geometry(height: Int, width: Int, capacity: Int) -> (Int, Int, Int) {
    let (rows, blocksX) = WinogradPlan.tileGrid(height: height, width: width)
    return (rows, blocksX, WinogradPlan.pointStride(blocks: rows * blocksX, channels: capacity))
  }

  deinit { v.deallocate() }

  /// Bytes a stack of this size allocates (for memory planning).
  public static func bytes(height: Int, width: Int, capacity: Int) -> Int {
    4 * Winograd.points * geometry(height: height, width: width, capacity: capacity).2
  }

  /// Empties the stack, keeping its memory for the next block (fresh pages cost a page fault each).
  public func removeAll() { channels = 0 }

  /// Transforms the CHW map `x` and appends its channels.
  public func append(_ x: Tensor) { append(x, isa: WinogradKernels.active) }

  /// `append` with the kernels of `isa` (tests compare instruction sets).
  func append(_ x: Tensor, isa: WinogradKernels.ISA) {
    requireCHW(x, "WinogradFeatureStack.append")
    precondition(x.height == height && x.width == width,
                 "WinogradFeatureStack: appending \(x.shapeDescription) to a \(height)x\(width) stack")
    precondition(channels + x.channels <= capacity,
                 "WinogradFeatureStack: \(channels) + \(x.channels) channels exceed capacity \(capacity)")
    // Whole image, parallel over channel ranges.
    let whole = WinogradPlan.Chunk(ty0: 0, rows: tileRows, bx0: 0, bx1: blocksX)
    let plane = height * width
    x.data.withUnsafeBufferPointer { xp in
      Parallel.forEachRange(x.channels) { range in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: WinogradKernels.inputScratchCount(blocksWide: blocksX))
        defer { scratch.deallocate() }
        WinogradKernels.inputTransform(xp.baseAddress! + range.lowerBound * plane, channels: range.count,
                                       height: height, width: width, chunk: whole,
                                       v: v + (channels + range.lowerBound) * Winograd.lanes,
                                       blockStride: blockStride, pointStride: pointStride, scratch: scratch, isa: isa)
      }
    }
    channels += x.channels
  }

  /// `residualScale * activation(conv(stack[0..<kernel.inChannels]) + bias) + residual`,
  /// or without the residual term when `residual` is nil. `kernel` must be 3x3.
  public func convolve(
    _ kernel: Conv3x3Kernel, activation: Activation = .none, residual: Tensor? = nil, residualScale: Float = 1
  ) -> Tensor {
    convolve(kernel, activation: activation, residual: residual, residualScale: residualScale,
             budget: Conv3x3Kernel.chunkBudgetBytes)
  }

  /// `convolve` with an explicit chunk budget (tests use a tiny one to force many chunks) and
  /// instruction set.
  func convolve(
    _ kernel: Conv3x3Kernel, activation: Activation, residual: Tensor?, residualScale: Float, budget: Int,
    isa: WinogradKernels.ISA = WinogradKernels.active
  ) -> Tensor {
    precondition(kernel.usesWinograd, "WinogradFeatureStack: kernel is not 3x3")
    precondition(kernel.inChannels <= channels,
                 "WinogradFeatureStack: conv reads \(kernel.inChannels) channels, stack holds \(channels)")
    if let residual {
      precondition(residual.shape == [kernel.outChannels, height, width],
                   "WinogradFeatureStack: residual \(residual.shapeDescription) for a \(kernel.outChannels)x\(height)x\(width) output")
    }
    let total = kernel.outChannels * height * width
    let data = [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
      WinogradEpilogue.with(activation, residual: residual, residualScale: residualScale) { epilogue in
        kernel.run(stack: v, stackPointStride: pointStride, stackBlockStride: blockStride, height: height, width: width,
                   epilogue: epilogue, out: buffer.baseAddress!, budget: budget, isa: isa)
      }
      initialized = total
    }
    return Tensor(shape: [kernel.outChannels, height, width], data: data)
  }
}
