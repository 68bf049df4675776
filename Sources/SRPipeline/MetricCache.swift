import Foundation
import SRMetrics
import SRTensor

/// Whole-image metrics on disk beside the SR outputs (`<outputs>/metrics/<key>.json`, and the
/// LPIPS-Alex map as raw float32 in `<key>.map.f32`), so a second `eval` or viewer launch reads
/// them instead of recomputing LPIPS and NIQE.
///
/// The key names the metric version, the selection (which metrics, which weights were available),
/// the crop border, the output (model content key) and the image files (path, size, mtime, inode):
/// any change to a model, an HR or LR file, the protocol or the metric code gives a new key, and a
/// cached launch hashes no pixels. Files appear by rename of
/// complete temporary files; an unreadable entry is a miss.
public struct MetricCache: Sendable {
  public var root: String

  /// Changes whenever a metric's definition or implementation changes.
  public static let metricVersion = "srscope-metrics-1"

  public init(root: String) { self.root = root }

  /// The cache beside an output cache.
  public init(beside outputs: OutputCache) { root = outputs.root + "/metrics" }

  /// The key of one measurement: the metric version, the selection, the crop border, what made
  /// the SR image (`output`: a network's content key, `bicubic`, a results file with its stamp) and
  /// the image's identity (HR/LR files with their stamps, and the scale; `EvalImage.identity`).
  public static func key(output: String, image: String, cropBorder: Int, selection: String) -> String {
    SHA256.hex(Array("\(metricVersion)|\(selection)|\(cropBorder)|\(output)|\(image)".utf8))
  }

  struct Entry: Codable {
    var values: MetricValues
    var notes: [String]
    /// Shape of the LPIPS-Alex map stored beside, if any.
    var mapShape: [Int]?
  }

  /// The cached values (with the map when `needMap` and it was stored), or nil.
  public func load(key: String, needMap: Bool) -> MetricValues? {
    guard let bytes = try? InputFile.read("\(root)/\(key).json", maxBytes: 1 << 20),
          let entry = try? JSONDecoder.lenient.decode(Entry.self, from: Data(bytes)) else { return nil }
    var v = entry.values
    v.notes = entry.notes
    if needMap {
      guard let shape = entry.mapShape, let raw = try? InputFile.read("\(root)/\(key).map.f32", maxBytes: 1 << 30),
            raw.count == shape.reduce(4, *) else { return nil }
      v.lpipsAlexMap = Tensor(shape: shape, data: raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
    }
    return v
  }

  /// Stores values (and the map, if present); failures are ignored (the cache is an optimisation).
  public func store(_ v: MetricValues, key: String) {
    do {
      try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
      if let map = v.lpipsAlexMap {
        try AtomicFile.write(map.data.withUnsafeBytes { Array($0) }, to: "\(root)/\(key).map.f32")
      }
      let entry = Entry(values: v, notes: v.notes, mapShape: v.lpipsAlexMap?.shape)
      try AtomicFile.write(Array(try JSONEncoder.lenient.encode(entry)), to: "\(root)/\(key).json")
    } catch {}
  }
}

extension JSONEncoder {
  /// Non-finite numbers as the strings "inf", "-inf", "nan" (an infinite PSNR of identical images),
  /// as the metric cache and eval's JSON write them.
  static var lenient: JSONEncoder {
    let e = JSONEncoder()
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return e
  }
}

extension JSONDecoder {
  /// Reads what `JSONEncoder.lenient` writes.
  static var lenient: JSONDecoder {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return d
  }
}
