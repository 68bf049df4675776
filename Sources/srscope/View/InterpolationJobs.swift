import Foundation
import SRPipeline
import SRTensor
import SRViewer

/// The viewer's interpolated networks (`<` / `>`): whether two models can be interpolated and the
/// interpolated network's outputs. The viewer asks (`status`, `output`, returning at once); the data
/// source's one background worker does the work (`serve`, between its other jobs and when idle):
/// the pair checked (both networks loaded and compared), then the crop on screen with context, then
/// the whole image through the evaluator (so it lands in the output cache, keyed by both parents'
/// keys and alpha, and a later launch reads it from there).
final class InterpolationJobs: @unchecked Sendable {
  struct Request: Equatable { var interpolation: Interpolation, image: Int, crop: CropRect }
  struct Pair: Hashable { var a: Int, b: Int }
  struct Key: Hashable { var interpolation: Interpolation, image: Int }

  private let names: [String]
  private let paths: [String?]  // nil = bicubic
  /// Why a model can never be a parent (bicubic, a folder of SR images), known without loading.
  private let notNetworks: [String?]
  private let evaluator: Evaluator
  private let condition = NSCondition()
  // Guarded by `condition`:
  private var statuses: [Pair: InterpolationStatus] = [:]
  private var wanted: Request?
  private var outputs: [Key: InterpolatedOutput] = [:]
  private var recent: [Key] = []
  /// Images that could not be loaded (nothing to compute on them).
  private var unloadable: Set<Int> = []
  /// Whole-image outputs kept in memory (the output cache on disk keeps them all).
  static let keptOutputs = 12
  // The worker's own (only `serve` touches them):
  private var parents: [Int: EvalModel] = [:]
  private var networks: [Interpolation: EvalModel] = [:]

  init(names: [String], paths: [String?], cache: OutputCache = OutputCache()) {
    self.names = names
    self.paths = paths
    notNetworks = zip(names, paths).map { name, path in
      guard let path else { return EvalModel.notANetwork(name, bicubic: true) }
      return ModelSpec.isFolder(path) ? EvalModel.notANetwork(name, bicubic: false) : nil
    }
    // `output` only (no metrics); the crop border is unused.
    evaluator = Evaluator(metrics: MetricSet(selection: []), cache: cache, cropBorder: 0)
  }

  // MARK: asked by the viewer

  func status(a: Int, b: Int) -> InterpolationStatus {
    guard names.indices.contains(a), names.indices.contains(b) else { return .unavailable("no such model") }
    if a == b { return .unavailable("A and the baseline are the same model (b: another baseline)") }
    if let why = notNetworks[a] ?? notNetworks[b] { return .unavailable(why) }
    return condition.withLock { statuses[Pair(a: a, b: b)] ?? .checking }
  }

  func output(_ interpolation: Interpolation, image: Int, crop: CropRect?) -> InterpolatedOutput? {
    condition.withLock {
      let out = outputs[Key(interpolation: interpolation, image: image)]
      guard let crop else { return out }
      let request = Request(interpolation: interpolation, image: image, crop: crop)
      if wanted != request {
        wanted = request
        condition.signal()
      }
      if let region = out?.region, !region.contains(crop) { return nil }
      return out
    }
  }

  // MARK: done by the background worker

  /// How long the worker waits after a crop before it starts that crop's whole image.
  static let wholeImageGrace = 0.3

  /// Waits up to `seconds` for a request other than `request`; true if one came.
  private func newerRequest(than request: Request, within seconds: Double) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    return condition.withLock {
      while wanted == request { if !condition.wait(until: deadline) { break } }
      return wanted != request
    }
  }

  /// Blocks until there is a request whose whole image is not done yet.
  func waitForRequest() {
    condition.withLock {
      while wanted.map(isDone) ?? true { condition.wait() }
    }
  }

  /// One step of the current request: check the pair, or compute the crop, or the whole image.
  /// Returns false when there was nothing to do. `image` gives the loaded image (loading it if needed).
  func serve(image: (Int) -> EvalImage?, message: (String) -> Void) -> Bool {
    guard let request = condition.withLock({ wanted.flatMap { isDone($0) ? nil : $0 } }) else { return false }
    let i = request.interpolation, key = Key(interpolation: i, image: request.image), pair = Pair(a: i.a, b: i.b)
    let model: EvalModel
    do { model = try network(i) } catch {
      record(status: .unavailable(ManifestDataSource.oneLine(error)), for: pair)
      return true
    }
    record(status: .available, for: pair)
    guard let eval = image(request.image) else {
      condition.withLock { _ = unloadable.insert(request.image) }  // the viewer shows the image's error
      return true
    }
    guard case .network(_, _, let modelKey) = model else { return false }
    if let hit = evaluator.cache?.load(model: modelKey, image: OutputCache.imageKey(eval.lr)), hit.shape == eval.hr.shape {
      store(InterpolatedOutput(image: hit.clamped01(), region: nil), key)
      return true
    }
    let covered = condition.withLock { outputs[key]?.region.map { $0.contains(request.crop) } ?? false }
    do {
      if !covered {
        message("\(i.title) on \(eval.name): the crop")
        let c = request.crop
        let part = try evaluator.regionOutput(model, eval, x: c.x, y: c.y, width: c.width, height: c.height)
        var full = Tensor(channels: 3, height: eval.hr.height, width: eval.hr.width)
        TensorRegion.paste(part.output, into: &full, y: part.y, x: part.x)
        store(InterpolatedOutput(image: full, region: CropRect(x: part.x, y: part.y, width: part.width, height: part.height)), key)
        return true  // the request may have changed meanwhile: look again before the whole image
      }
      // Someone stepping through alpha presses again within a moment: then the next crop comes
      // first, instead of after a whole-image run nobody waits for (runs are not interrupted).
      if newerRequest(than: request, within: Self.wholeImageGrace) { return true }
      message("\(i.title) on \(eval.name): the whole image")
      let (whole, _, _) = try evaluator.output(model, eval)
      store(InterpolatedOutput(image: whole, region: nil), key)
    } catch {
      record(status: .unavailable(ManifestDataSource.oneLine(error)), for: pair)
    }
    return true
  }

  /// The interpolated network (parents loaded on first use; only the current pair's are kept).
  private func network(_ i: Interpolation) throws -> EvalModel {
    if let hit = networks[i] { return hit }
    parents = parents.filter { $0.key == i.a || $0.key == i.b }
    networks = networks.filter { $0.key.a == i.a && $0.key.b == i.b && abs($0.key.tenths - i.tenths) <= 1 }
    func parent(_ m: Int) throws -> EvalModel {
      if let p = parents[m] { return p }
      guard let path = paths[m] else { return .bicubic }
      let p = try EvalModel.load(path: path, name: names[m], eager: false)
      parents[m] = p
      return p
    }
    let model = try EvalModel.interpolated(try parent(i.a), try parent(i.b), alpha: i.alpha, name: i.title)
    networks[i] = model
    return model
  }

  private func isDone(_ r: Request) -> Bool {
    if case .unavailable = statuses[Pair(a: r.interpolation.a, b: r.interpolation.b)] { return true }
    if unloadable.contains(r.image) { return true }
    return outputs[Key(interpolation: r.interpolation, image: r.image)].map { $0.region == nil } ?? false
  }

  private func record(status: InterpolationStatus, for pair: Pair) {
    condition.withLock { statuses[pair] = status }
  }

  private func store(_ output: InterpolatedOutput, _ key: Key) {
    condition.withLock {
      outputs[key] = output
      recent.removeAll { $0 == key }
      recent.append(key)
      while recent.count > Self.keptOutputs { outputs[recent.removeFirst()] = nil }
    }
  }
}
