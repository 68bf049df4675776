import Foundation
import SRMetrics
import SRTensor

/// Whole-image metrics on disk beside the SR outputs (`<outputs>/metrics/<key>.json`, and the
/// LPIPS-Alex map as raw float32 in `<key>.map.f32`), so a second `eval` or viewer launch reads
/// them instead of recomputing LPIPS and NIQE.
///
/// The key hashes the metric version, the selection (which metrics, which weights were available),
/// the crop border and the 8-bit SR and HR pixels the metrics are computed on: any change to an
/// output, an HR image, the protocol or the metric code gives a new key. Files appear by rename of
/// complete temporary files; an unreadable entry is a miss.
public struct MetricCache: Sendable {
  public var root: String

  /// Changes whenever a metric's definition or implementation changes.
  public static let metricVersion = "srscope-metrics-1"

  public init(root: String) { self.root = root }

  /// The cache beside an output cache.
  public init(beside outputs: OutputCache) { root = outputs.root + "/metrics" }

  /// The key of one measurement.
  public static func key(sr255: Tensor, hr255: Tensor, cropBorder: Int, selection: String) -> String {
    var bytes = Array("\(metricVersion)|\(selection)|\(cropBorder)|\(sr255.shape)|".utf8)
    bytes.reserveCapacity(bytes.count + sr255.count + hr255.count)
    for v in sr255.data { bytes.append(UInt8(max(0, min(255, v)))) }
    for v in hr255.data { bytes.append(UInt8(max(0, min(255, v)))) }
    return SHA256.hex(bytes)
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
  /// Non-finite numbers as strings (an infinite PSNR of identical images).
  static var lenient: JSONEncoder {
    let e = JSONEncoder()
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return e
  }
}

extension JSONDecoder {
  static var lenient: JSONDecoder {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return d
  }
}
