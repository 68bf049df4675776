import Foundation
import SRConfig
import SRMetrics
import SRModels
import SRPipeline
import SRTensor
import SRViewer

/// The viewer's data: real models run on real images in a background thread, through the same
/// evaluator and on-disk output cache as `srscope eval`. Every accessor returns at once.
final class ManifestDataSource: ViewerDataSource, @unchecked Sendable {
  struct Pair: Hashable { var model: Int, image: Int }

  let modelNames: [String]
  private let modelPaths: [String?]  // nil = bicubic
  private let imagePaths: [String]
  private let lrFolder: String?
  private let scale: Int
  private let lock = NSLock()
  private var images: [Int: ViewerImageSet] = [:]
  private var imageErrors: [Int: String] = [:]
  private var evalImages: [Int: EvalImage] = [:]
  private var outputs: [Pair: Tensor] = [:]
  private var metrics: [Pair: MetricRow] = [:]
  private var maps: [Pair: Tensor] = [:]
  /// Why a pair has no output: the model could not be loaded, or failed on that image.
  private var failures: [Pair: String] = [:]
  /// Models whose file could not be loaded (the error applies to every image).
  private var loadFailures: [Int: String] = [:]
  private var done = 0
  private var message = "starting"
  private var wantedImage = 0
  private var cropLPIPS: LPIPS?
  /// Validation curves from the models' training logs (read once, at creation; `nil` for bicubic,
  /// models without a log, and logs that are missing or unreadable).
  private let curves: [ValidationCurve?]
  /// The `<` / `>` panel's networks, served by the same background worker.
  private let interpolations: InterpolationJobs

  var imageCount: Int { imagePaths.count }
  /// How the networks' convolutions multiply (`--precision`).
  var precision: ConvPrecision = .fp32

  /// `trainingLogs[i]` is the `log.csv` of `models[i]` (missing entries: no log).
  init(models: [(name: String, path: String)], imagePaths: [String], lrFolder: String?, scale: Int,
       trainingLogs: [String?] = []) {
    modelNames = ["bicubic"] + models.map(\.name)
    curves = [nil] + models.indices.map { i in
      trainingLogs.indices.contains(i) ? trainingLogs[i].flatMap(ValidationCurve.load(path:)) : nil
    }
    modelPaths = [nil] + models.map(\.path)
    interpolations = InterpolationJobs(names: modelNames, paths: modelPaths)
    self.imagePaths = imagePaths
    self.lrFolder = lrFolder
    self.scale = scale
  }

  var total: Int { modelNames.count * imagePaths.count }

  var progress: (done: Int, total: Int, message: String) {
    lock.withLock { (done, total, message) }
  }

  func imageSet(_ index: Int) -> ViewerImageSet? { imageSet(index, wanted: true) }

  func imageSet(_ index: Int, wanted: Bool) -> ViewerImageSet? {
    lock.withLock {
      if wanted { wantedImage = index }
      return images[index]
    }
  }

  func imageError(_ index: Int) -> String? { lock.withLock { imageErrors[index] } }

  func output(model: Int, image: Int) -> Tensor? { lock.withLock { outputs[Pair(model: model, image: image)] } }
  func wholeImageMetrics(model: Int, image: Int) -> MetricRow? { lock.withLock { metrics[Pair(model: model, image: image)] } }
  func lpipsMap(model: Int, image: Int) -> Tensor? { lock.withLock { maps[Pair(model: model, image: image)] } }
  func validationCurve(model: Int) -> ValidationCurve? { curves.indices.contains(model) ? curves[model] : nil }
  var cropMetricMinimumSides: [(metric: String, side: Int)] {
    [("SSIM", 11)] + (lock.withLock { cropLPIPS }.map { [("LPIPS", $0.minimumSide)] } ?? [])
  }
  func modelError(model: Int, image: Int) -> String? {
    lock.withLock { loadFailures[model] ?? failures[Pair(model: model, image: image)] }
  }

  func interpolationStatus(a: Int, b: Int) -> InterpolationStatus { interpolations.status(a: a, b: b) }
  func interpolatedOutput(_ interpolation: Interpolation, image: Int, crop: CropRect?) -> InterpolatedOutput? {
    interpolations.output(interpolation, image: image, crop: crop)
  }

  func cropMetrics(model: Int, image: Int, crop: CropRect) -> MetricRow? {
    output(model: model, image: image).flatMap { cropMetrics(of: $0, image: image, crop: crop) }
  }

  func cropMetrics(of sr: Tensor, image: Int, crop: CropRect) -> MetricRow? {
    guard let hr = lock.withLock({ images[image]?.hr }) else { return nil }
    let a = ColorSpace.quantized255(TensorRegion.crop(sr, y: crop.y, x: crop.x, height: crop.height, width: crop.width))
    let b = ColorSpace.quantized255(TensorRegion.crop(hr, y: crop.y, x: crop.x, height: crop.height, width: crop.width))
    // NaN ("n/a") where the metric cannot be computed on this crop (SSIM's 11x11 window, LPIPS's
    // minimum side); LPIPS stays nil ("...") until its model is loaded.
    var row = MetricRow()
    row.psnrY = (try? PSNR.compute(a, b, cropBorder: 0, yChannel: true)) ?? .nan
    row.ssimY = (try? SSIM.compute(a, b, cropBorder: 0, yChannel: true)) ?? .nan
    if let lp = lock.withLock({ cropLPIPS }) {
      let fits = crop.width >= lp.minimumSide && crop.height >= lp.minimumSide
      row.lpips = fits ? (try? lp.distance(a.map { $0 / 255 }, b.map { $0 / 255 })) ?? .nan : .nan
    }
    return row
  }

  /// Starts the background worker (one thread: each model and metric already splits its work over
  /// every core through `Parallel`).
  func start() {
    let thread = Thread { [self] in
      work()
      // The viewer lives on with the outputs; the networks went with `work`'s locals, and
      // inference's peak heap goes back to the system.
      HeapPolicy.returnFreeMemory()
      // Then the worker waits for interpolated networks to compute (`<` / `>`).
      while true {
        interpolations.waitForRequest()
        serveInterpolations()
        HeapPolicy.returnFreeMemory()
      }
    }
    thread.stackSize = 8 << 20
    thread.start()
  }

  private func setMessage(_ s: String) { lock.withLock { message = s } }

  /// Everything the interpolation panel asks for now (it comes first: it is what the user is looking at).
  private func serveInterpolations() {
    while interpolations.serve(image: loadedImage, message: setMessage) {}
  }

  /// The image at `i`, loaded now if the worker has not reached it yet.
  private func loadedImage(_ i: Int) -> EvalImage? {
    if let e = lock.withLock({ evalImages[i] }) { return e }
    loadImage(i)
    return lock.withLock { evalImages[i] }
  }

  /// An error as one printable line.
  static func oneLine(_ error: Error) -> String { Printable.escape("\(error)") }

  /// Loads the metric models and networks (for one `work` or `prepare` run; the crop LPIPS model
  /// is kept in `cropLPIPS` for the viewer's lifetime, the networks only while they run).
  private func loadEngine() -> (metrics: MetricSet, models: [EvalModel?]) {
    setMessage("loading metrics")
    let metricSet = MetricSet(selection: [.fidelity, .lpipsAlex, .niqe])
    lock.withLock { cropLPIPS = metricSet.alex }
    var models: [EvalModel?] = []
    let imageNames = imagePaths.map { ($0 as NSString).lastPathComponent }
    for (i, path) in modelPaths.enumerated() {
      guard let path else { models.append(.bicubic); continue }
      setMessage("loading \(modelNames[i])")
      do { models.append(try EvalModel.load(path: path, name: modelNames[i], imageNames: imageNames, eager: false)) } catch {
        models.append(nil)
        lock.withLock { loadFailures[i] = Self.oneLine(error) }
      }
    }
    return (metricSet, models)
  }

  /// Works in the order of what is on screen: the wanted image first, then its neighbours (nearest
  /// first, re-chosen after every image). A pair whose metrics are cached only gets its metrics;
  /// its output is read from the output cache when its image is on screen, or after everything
  /// else is ready.
  private func work() {
    let engine = loadEngine()
    let evaluator = Evaluator(metrics: engine.metrics, cache: OutputCache(), cropBorder: scale, precision: precision)
    var pending = Set(imagePaths.indices)
    var unread: [(model: Int, image: Int)] = []
    while !pending.isEmpty {
      serveInterpolations()
      let wanted = lock.withLock { wantedImage }
      let image = pending.min { abs($0 - wanted) < abs($1 - wanted) || (abs($0 - wanted) == abs($1 - wanted) && $0 < $1) }!
      pending.remove(image)
      loadImage(image)
      guard let eval = lock.withLock({ evalImages[image] }) else {
        lock.withLock { done += modelNames.count }
        continue
      }
      for (m, model) in engine.models.enumerated() {
        serveInterpolations()
        if image != wanted, let model, recordCached(model, m, eval, image, evaluator) { unread.append((m, image)); continue }
        run(model, m, eval, image, evaluator)
      }
    }
    setMessage("ready")
    // Outputs whose metrics came from the cache, wanted image first.
    while !unread.isEmpty {
      serveInterpolations()
      let wanted = lock.withLock { wantedImage }
      let next = unread.firstIndex { $0.image == wanted } ?? 0
      let (m, image) = unread.remove(at: next)
      guard let model = engine.models[m], let eval = lock.withLock({ evalImages[image] }) else { continue }
      if let (sr, _, _) = try? evaluator.output(model, eval) { lock.withLock { outputs[Pair(model: m, image: image)] = sr } }
    }
  }

  /// Records the cached metrics (and LPIPS map) of a pair; false when they are not cached.
  private func recordCached(_ model: EvalModel, _ m: Int, _ eval: EvalImage, _ image: Int, _ evaluator: Evaluator) -> Bool {
    guard let v = evaluator.cachedMetrics(model, eval, lpipsMap: true) else { return false }
    record(v, Pair(model: m, image: image))
    lock.withLock { done += 1 }
    return true
  }

  private func record(_ v: MetricValues, _ key: Pair) {
    // A metric that was attempted and failed is shown as "n/a" (NaN), not as still loading.
    lock.withLock {
      metrics[key] = MetricRow(psnrY: v.psnr_y ?? .nan, ssimY: v.ssim_y ?? .nan, lpips: v.lpips_alex ?? .nan, niqe: v.niqe ?? .nan)
      if let map = v.lpipsAlexMap { maps[key] = map }
    }
  }

  /// Computes, in the calling thread, what a montage of `models` on `image` needs (for `compare`).
  func prepare(image: Int, models: [Int]) {
    let engine = loadEngine()
    let evaluator = Evaluator(metrics: engine.metrics, cache: OutputCache(), cropBorder: scale, precision: precision)
    loadImage(image)
    guard let eval = lock.withLock({ evalImages[image] }) else { return }
    for m in Set(models) { run(engine.models[m], m, eval, image, evaluator) }
  }

  private func loadImage(_ i: Int) {
    if lock.withLock({ evalImages[i] }) != nil { return }  // loaded early for an interpolated network
    let name = (imagePaths[i] as NSString).lastPathComponent
    setMessage("reading \(name)")
    do {
      let e = try EvalImage.load(hrPath: imagePaths[i], lrPath: lrFolder.map { $0 + "/" + name }, scale: scale)
      lock.withLock {
        evalImages[i] = e
        images[i] = ViewerImageSet(name: e.name, hr: e.hr, lr: e.lr, scale: scale)
      }
    } catch {
      // The loaders' errors name the file already.
      lock.withLock { imageErrors[i] = "\(error)" }
      setMessage("\(error)")
    }
  }

  private func run(_ model: EvalModel?, _ m: Int, _ eval: EvalImage, _ image: Int, _ evaluator: Evaluator) {
    let key = Pair(model: m, image: image)
    defer { lock.withLock { done += 1 } }
    guard let model else { return }  // its load error is in `loadFailures`
    setMessage("\(modelNames[m]) on \(eval.name)")
    do {
      let (sr, _, _) = try evaluator.output(model, eval)
      lock.withLock { outputs[key] = sr }
      record(try evaluator.measure(sr, eval, model: model, lpipsMap: true), key)
    } catch {
      lock.withLock { failures[key] = Self.oneLine(error) }
    }
  }
}

