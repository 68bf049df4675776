import ArgumentParser
import Foundation
import SRImage
import SRPipeline

/// `srscope metrics SR.png HR.png`: the metrics of one pair, for scripts.
struct MetricsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "metrics",
    abstract: "PSNR/SSIM (Y and RGB), LPIPS (Alex, VGG) and NIQE of one SR/HR pair.")

  @Argument(help: "The image to judge (SR), PNG or JPEG.") var sr: String
  @Argument(help: "The reference (HR), PNG or JPEG.") var hr: String
  @Option(help: "Pixels shaved from each border (default 0).") var cropBorder: Int = 0
  @Option(help: "Output format: table or json.") var format: String = "table"
  @Option(help: "Only these metric groups (comma-separated: fidelity, lpips_alex, lpips_vgg, niqe); others are null.")
  var only: String?
  @Flag(help: "Print the elapsed time on stderr.") var timing = false

  static let groups: [String: MetricSet.Selection] = [
    "fidelity": .fidelity, "lpips_alex": .lpipsAlex, "lpips_vgg": .lpipsVGG, "niqe": .niqe,
  ]

  var selection: MetricSet.Selection? {
    guard let only else { return .all }
    var s: MetricSet.Selection = []
    for name in only.split(separator: ",") {
      guard let g = Self.groups[String(name)] else { return nil }
      s.insert(g)
    }
    return s
  }
  @OptionGroup var threading: ThreadOptions

  func validate() throws {
    if !(0...EvalCommand.maxCropBorder).contains(cropBorder) {
      throw ValidationError("--crop-border must be 0 to \(EvalCommand.maxCropBorder)")
    }
    if !["table", "json"].contains(format) { throw ValidationError("--format must be table or json") }
    if selection == nil { throw ValidationError("--only takes fidelity, lpips_alex, lpips_vgg, niqe") }
  }

  func run() throws {
    threading.apply()
    let metricSet = MetricSet(selection: selection!)
    // Refuse an image too large to measure before decoding it.
    for path in [sr, hr] {
      if let size = try ImageFile.declaredSize(contentsOf: path) { try metricSet.checkBudget(height: size.height, width: size.width) }
    }
    let a = try ImageFile.read(contentsOf: sr), b = try ImageFile.read(contentsOf: hr)
    let start = Date()
    let values = try metricSet.measure(sr: a.rgb, hr: b.rgb, cropBorder: cropBorder)
    if timing { FileHandle.standardError.write(Data(String(format: "metrics: %.3f s\n", Date().timeIntervalSince(start)).utf8)) }
    for note in values.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
    if format == "json" {
      let data = try JSONSerialization.data(withJSONObject: values.jsonObject(), options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    } else {
      for (k, v) in values.jsonObject().sorted(by: { $0.key < $1.key }) { print("\(k): \(v is NSNull ? "null" : "\(v)")") }
    }
  }
}
