import Foundation
import SRTensor

extension Viewer {
  /// Ranks crops of model A against HR (or against the baseline in |A-base| mode) over every image
  /// of the set whose outputs are ready, and jumps to the worst one (`restart`: a new ranking) or to
  /// the next one in the ranking, changing the image when it is elsewhere.
  func findWorst(restart: Bool) {
    let versusBase = state.errorMode == .versusBaseline && state.baseline != state.focus
    let against = versusBase ? modelName(state.baseline) : "HR"
    if restart || state.worstRanking.isEmpty {
      var ranked: [(image: Int, candidate: WorstCrop.Candidate)] = []
      var notReady = 0
      for i in 0..<data.imageCount {
        guard let set = data.imageSet(i, wanted: false), let a = data.output(model: state.focus, image: i),
              let b = versusBase ? data.output(model: state.baseline, image: i) : set.hr else {
          notReady += 1
          continue
        }
        ranked += WorstCrop.rank(a, b, size: min(state.cropSize, set.hr.width, set.hr.height),
                                 stride: max(1, state.cropSize / 2)).map { (i, $0) }
      }
      ranked.sort { $0.candidate.meanAbsDifference > $1.candidate.meanAbsDifference }
      ranked = Array(ranked.prefix(200))
      state.worstRanking = ranked.map(\.candidate.crop)
      state.worstImages = ranked.map(\.image)
      lastWorstScores = ranked.map(\.candidate.meanAbsDifference)
      state.worstIndex = 0
      lastWorstNotReady = notReady
    } else {
      state.worstIndex = (state.worstIndex + 1) % max(1, state.worstRanking.count)
    }
    guard state.worstRanking.indices.contains(state.worstIndex) else {
      state.message = "worst-first: no outputs of \(modelName(state.focus)) ready yet"
      return
    }
    let crop = state.worstRanking[state.worstIndex]
    if state.worstImages.indices.contains(state.worstIndex) { state.imageIndex = state.worstImages[state.worstIndex] }
    state.cropX = crop.x
    state.cropY = crop.y
    let score = lastWorstScores.indices.contains(state.worstIndex) ? lastWorstScores[state.worstIndex] : .nan
    let image = data.imageSet(state.imageIndex, wanted: false)?.name ?? "image \(state.imageIndex + 1)"
    state.message = "worst #\(state.worstIndex + 1)/\(state.worstRanking.count) over the set: \(image), mean |\(modelName(state.focus))-"
      + against + "| = " + String(format: "%.4f", score) + " (W: next)"
      + (lastWorstNotReady > 0 ? "; \(lastWorstNotReady) images not ready" : "")
  }

  /// The montage request of the current comparison (same panels as on screen, blink off; the
  /// default theme and panel size, as `srscope compare` without `--theme`/`--panel-size`).
  func montageRequest() -> ComparisonMontage.Request? {
    guard let set = data.imageSet(state.imageIndex) else { return nil }
    let crop = state.crop(in: PixelSize(width: set.hr.width, height: set.hr.height))
    return ComparisonMontage.Request(image: state.imageIndex, models: state.shownModels,
                                     baseline: state.baseline, crop: crop, errorMode: state.errorMode)
  }

  /// Writes the montage as NAME.png and, beside it, NAME.sh: the `srscope compare` command that
  /// re-creates the identical PNG. The status line names both files.
  func export(term: TerminalDevice) {
    guard let set = data.imageSet(state.imageIndex) else { state.message = "export: image not loaded"; return }
    let crop = state.crop(in: PixelSize(width: set.hr.width, height: set.hr.height))
    let stem = ((set.name.split(separator: "/").last.map(String.init) ?? "image") as NSString).deletingPathExtension
    let directory = URL(fileURLWithPath: exportDirectory).standardizedFileURL.path  // absolute: the script runs anywhere
    let base = directory + "/compare-\(stem)-\(crop.x)_\(crop.y)_\(crop.width)x\(crop.height)"
    let path = base + ".png", script = base + ".sh"
    do {
      guard let request = montageRequest(),
            let image = ComparisonMontage.render(request, data: data, metrics: { cropMetrics(model: $0, crop: $1) })
      else { state.message = "export: image not loaded"; return }
      try Montage.writePNG(image, to: path)
      let command = CompareRequest(imageIndex: state.imageIndex, imageName: set.name,
                                   models: state.shownModels.map(modelName), baseline: modelName(state.baseline),
                                   crop: crop, errorMode: state.errorMode, outputPath: path)
      let line = compareCommand(command)
      lastExportCommand = line
      let text = "#!/bin/sh\n# Re-creates \((path as NSString).lastPathComponent), exported from the srscope viewer.\nexec \(line)\n"
      try AtomicFile.write(Array(text.utf8), to: script)
      chmod(script, 0o755)
      state.message = "wrote \(path) and \((script as NSString).lastPathComponent) (the srscope compare command)"
    } catch {
      state.message = "export failed: \(error)"
    }
  }
}
