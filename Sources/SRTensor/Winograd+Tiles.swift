/// Epilogue parameters: activation kind (0 none, 1 ReLU, 2 LeakyReLU), slope, optional residual
/// or pixel shuffle.
struct WinogradEpilogue {
  let kind: Int32
  let slope: Float
  /// If set, the output is `residualScale * activation(conv + bias) + residual` (same CHW shape).
  var residual: UnsafePointer<Float>? = nil
  var residualScale: Float = 1
  /// PixelShuffle factor the output is written with (1: plain CHW; no residual with > 1).
  var shuffle = 1

  init(_ activation: Activation) {
    switch activation {
    case .none: kind = 0; slope = 0
    case .relu: kind = 1; slope = 0
    case .leakyReLU(let s): kind = 2; slope = s
    }
  }

  /// Runs `body` with the epilogue of `activation` and, when given, `residual` scaled by
  /// `residualScale` (its storage pinned for the call).
  static func with<R>(
    _ activation: Activation, residual: Tensor?, residualScale: Float, _ body: (WinogradEpilogue) -> R
  ) -> R {
    (residual?.data ?? []).withUnsafeBufferPointer { rp in
      var epilogue = WinogradEpilogue(activation)
      if residual != nil { epilogue.residual = rp.baseAddress; epilogue.residualScale = residualScale }
      return body(epilogue)
    }
  }
}

/// Tiling of one Winograd call into chunks that one worker runs start to finish (input
/// transform, products, output transform) while its buffers stay in its core's cache.
///
/// Tiles are grouped in blocks of 16 (one vector lane each), `blocksX` per tile row, the last one
/// padded. A chunk is a rectangle of blocks: whole tile rows when a row fits the budget, else
/// part of one tile row. Its buffers are `V[36][blocks][in][16]` (transformed input) and
/// `M[36][blocks][out][16]` (products).
struct WinogradPlan {
  /// One chunk: tile rows `ty0..<ty0+rows`, tile blocks `bx0..<bx1` of each.
  struct Chunk {
    let ty0, rows, bx0, bx1: Int
    var blocks: Int { rows * (bx1 - bx0) }
  }

  let inChannels, outChannels, height, width: Int
  /// Tile rows and tile blocks per row.
  let tileRows, blocksX: Int
  /// Whole tile rows per chunk (1 when a chunk is part of a row).
  let rowsPerChunk: Int
  /// Chunks per tile row and blocks per chunk within a row.
  let chunksX, chunkWidth: Int

  /// Whether Winograd multiplies fewer numbers than a direct 3x3 convolution of a `height` x
  /// `width` map: per channel pair it multiplies 36 points x 16 lanes per tile block (the last
  /// block of each tile row padded), the direct convolution 9 taps per pixel. Maps narrower than
  /// about 16 pixels lose: LPIPS's deep layers on a small viewer crop are 1x1 to 3x3 maps, where
  /// 15 of every 16 lanes are padding.
  static func beatsDirect(height: Int, width: Int) -> Bool {
    let grid = tileGrid(height: height, width: width)
    return Winograd.points * Winograd.lanes * grid.tileRows * grid.blocksX <= 9 * height * width
  }

  /// Tile rows (4 output rows each) and tile blocks per tile row (16 tiles of 4 columns each, the
  /// last one padded) of a `height` x `width` map.
  static func tileGrid(height: Int, width: Int) -> (tileRows: Int, blocksX: Int) {
    ((height + 3) / 4, ((width + 3) / 4 + Winograd.lanes - 1) / Winograd.lanes)
  }

  /// Transformed-weight bytes that one block of a chunk may carry (see `init`).
  static let weightBytesPerBlock = 128 << 10

  /// `budgetedChannels`: channels per tile that a chunk's buffers hold (default `in + out`; a
  /// call reading an existing transformed input only buffers its `out` products). Chunks are made
  /// small enough for the budget, and at least `4 x workers` of them when the image allows.
  init(inChannels: Int, outChannels: Int, height: Int, width: Int, budget: Int, budgetedChannels: Int? = nil,
       workers: Int = Parallel.threads) {
    // Every chunk reads all transformed weights: chunks of large-weight convs get up to four
    // blocks so that this read is spread over enough products.
    let weightBytes = 4 * Winograd.points * inChannels * outChannels
    let minBlocks = min(4, (weightBytes + Self.weightBytesPerBlock - 1) / Self.weightBytesPerBlock)
    self.inChannels = inChannels; self.outChannels = outChannels
    self.height = height; self.width = width
    (tileRows, blocksX) = Self.tileGrid(height: height, width: width)
    let bytesPerBlock = 4 * Winograd.points * Winograd.lanes * (budgetedChannels ?? (inChannels + outChannels))
    let budgetBlocks = max(1, minBlocks, budget / bytesPerBlock)
    if budgetBlocks >= blocksX {
      let rowsForWorkers = (tileRows + 4 * workers - 1) / (4 * workers)
      rowsPerChunk = max(1, min(budgetBlocks / blocksX, rowsForWorkers))
      chunksX = 1
      chunkWidth = blocksX
    } else {
      rowsPerChunk = 1
      chunksX = (blocksX + budgetBlocks - 1) / budgetBlocks
      chunkWidth = (blocksX + chunksX - 1) / chunksX
    }
  }

  /// Number of chunks.
  var chunkCount: Int { (tileRows + rowsPerChunk - 1) / rowsPerChunk * chunksX }

  /// Chunk `i` (row-major).
  func chunk(_ i: Int) -> Chunk {
    let ty0 = i / chunksX * rowsPerChunk, bx0 = i % chunksX * chunkWidth
    return Chunk(ty0: ty0, rows: min(rowsPerChunk, tileRows - ty0), bx0: bx0, bx1: min(blocksX, bx0 + chunkWidth))
  }

  /// Tile blocks of the largest chunk.
  var maxChunkBlocks: Int { rowsPerChunk * chunkWidth }

  /// Floats between the transform points of a buffer of `blocks` tile blocks of `channels`: one
  /// vector more than the data, so that the 36 points do not alias in the cache.
  static func pointStride(blocks: Int, channels: Int) -> Int { (blocks * channels + 1) * Winograd.lanes }

  /// Point stride of a chunk's V and M buffers.
  var vPointStride: Int { Self.pointStride(blocks: maxChunkBlocks, channels: inChannels) }
  var mPointStride: Int { Self.pointStride(blocks: maxChunkBlocks, channels: outChannels) }
  /// Floats of one chunk's V and M buffers.
  var vCapacity: Int { Winograd.points * vPointStride }
  var mCapacity: Int { Winograd.points * mPointStride }
}
