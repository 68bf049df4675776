import ArgumentParser
import SRImage

/// `srscope downscale`: LR from HR with MATLAB bicubic, as BasicSR's benchmark protocol.
struct DownscaleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "downscale",
    abstract: "Make an LR image from an HR one: mod-crop, MATLAB bicubic 1/scale with antialiasing, 8-bit.")

  @Option(help: "Downscaling factor.") var scale: Int = 4
  @Option(help: "HR image (PNG or JPEG).") var input: String
  @Option(help: "LR PNG.") var output: String

  func validate() throws {
    if scale < 1 || scale > 16 { throw ValidationError("--scale must be between 1 and 16") }
  }

  func run() throws {
    let hr = try ImageFile.read(contentsOf: input)
    guard hr.width >= scale, hr.height >= scale else {
      throw ValidationError("image \(hr.width)x\(hr.height) is smaller than the scale \(scale)")
    }
    let lr = Degrade.makeLR(hr.rgb, scale: scale)
    try PNGCodec.write(Image(rgb: lr), to: output, bitDepth: 8, asGray: hr.isGray)
  }
}
