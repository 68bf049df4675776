import ArgumentParser
import Foundation
import SRImage
import SRModels
import SRPipeline
import SRTensor

/// `srscope upscale`: one PNG or JPEG through one model, written as PNG.
struct UpscaleCommand: ParsableCommand, RunsWithoutOpenBLAS {
  static let configuration = CommandConfiguration(
    commandName: "upscale",
    abstract: "Upscale a PNG or JPEG with a model (whole image in one pass unless tiling is asked for or needed).")

  @Option(help: "Checkpoint (.safetensors, .pth, or ncnn .param).") var model: String
  @Option(help: "Input PNG or JPEG.") var input: String
  @Option(help: "Output PNG.") var output: String
  @Option(help: "Tile size in input pixels (default: none unless over --max-memory).") var tile: Int?
  @Option(help: "Tile overlap in input pixels.") var tilePad: Int = 16
  @Option(help: "Peak memory budget (weights, images and activations), e.g. 2G; a larger need is met by tiling. (default: 4G, or 3/4 of the memory and address-space limit if smaller)")
  var maxMemory: ByteSize?
  @Option(help: "Also write the raw float output (before clamping) as a float32 CHW .npy.") var saveFloat: String?
  @Option(help: "Output bit depth: 8, 16, or source (default).") var bitDepth: String = "source"
  @Flag(help: "Print the inference time (model forward and clamping, no file I/O) to stderr.") var timing = false
  @OptionGroup var threading: ThreadOptions
  @OptionGroup var precisionOption: PrecisionOption

  func validate() throws {
    if let t = tile, t < 8 { throw ValidationError("--tile must be at least 8") }
    if tilePad < 0 { throw ValidationError("--tile-pad must be non-negative") }
    if !["8", "16", "source"].contains(bitDepth) { throw ValidationError("--bit-depth must be 8, 16 or source") }
  }

  func run() throws {
    threading.apply()
    let loaded = try ModelLoader.load(path: model)
    let image = try ImageFile.read(contentsOf: input)
    let budget = maxMemory?.bytes ?? Upscaler.defaultBudget
    var upscaler = Upscaler(network: loaded.network, tileSize: tile, tilePad: tilePad, maxMemoryBytes: budget)
    let precision = Upscaler.effectivePrecision(precisionOption.resolved(command: "upscale"), for: loaded.network)
    if let note = precision.note { FileHandle.standardError.write(Data("upscale: \(note)\n".utf8)) }
    upscaler.precision = precision.precision
    do { try upscaler.checkFits(height: image.height, width: image.width, budgetName: " (--max-memory)") } catch {
      throw CommandError("upscale: \(error)")
    }
    let least = upscaler.smallestRunBytes(height: image.height, width: image.width)
    if budget < least {
      note("upscale: warning: --max-memory \(MemoryBudget.describe(budget)) is below this run's estimate with the smallest"
        + " tiles (\(MemoryBudget.describe(least))); it may use more")
    }
    if let t = upscaler.plannedTileSize(height: image.height, width: image.width) {
      let n = ((image.height + t - 1) / t) * ((image.width + t - 1) / t)
      FileHandle.standardError.write(Data("upscale: \(image.width)x\(image.height) in \(n) tiles of \(t)x\(t) (+\(tilePad) overlap)\n".utf8))
    }
    let bar = ProgressBar("upscale")
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try ImageUpscaler(upscaler: upscaler).upscale(image) { bar.update($0) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    bar.finish()
    if timing {
      let line = String(format: "upscale: inference %.4f s (%@, OpenBLAS %@ kernels, %d threads)\n", seconds,
                        upscaler.precision == .bf16 ? "oneDNN bf16 on \(DNNL.cpuISA)" : "Winograd \(WinogradKernels.active.name) products",
                        Parallel.blasCoreName, Parallel.threads)
      FileHandle.standardError.write(Data(line.utf8))
    }
    if let path = saveFloat { try FloatDump.writeNPY(result.raw, to: path) }
    let depth = bitDepth == "source" ? (image.sourceBitDepth == 16 ? 16 : 8) : Int(bitDepth)!
    try PNGCodec.write(result.image, to: output, bitDepth: depth, asGray: image.isGray)
  }
}
