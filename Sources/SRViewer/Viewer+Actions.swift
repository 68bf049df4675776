import Foundation
import SRTensor

extension Viewer {
  /// Ranks crops of model A against HR (or against the baseline in |A-base| mode) and jumps to the
  /// worst one (`restart`) or to the next one in the ranking.
  func findWorst(restart: Bool) {
    let i = state.imageIndex
    guard let set = data.imageSet(i), let a = data.output(model: state.focus, image: i) else {
      state.message = "worst-first: output of \(modelName(state.focus)) not ready yet"
      return
    }
    let versusBase = state.errorMode == .versusBaseline && state.baseline != state.focus
    let reference = versusBase ? data.output(model: state.baseline, image: i) : set.hr
    guard let b = reference else { state.message = "worst-first: baseline output not ready yet"; return }
    if restart || state.worstRanking.isEmpty {
      let ranked = WorstCrop.rank(a, b, size: state.cropSize, stride: max(1, state.cropSize / 2))
      state.worstRanking = ranked.map(\.crop)
      state.worstIndex = 0
      lastWorstScores = ranked.map(\.meanAbsDifference)
    } else {
      state.worstIndex = (state.worstIndex + 1) % max(1, state.worstRanking.count)
    }
    guard state.worstRanking.indices.contains(state.worstIndex) else { state.message = "worst-first: nothing to rank"; return }
    let crop = state.worstRanking[state.worstIndex]
    state.cropX = crop.x
    state.cropY = crop.y
    let score = lastWorstScores.indices.contains(state.worstIndex) ? lastWorstScores[state.worstIndex] : .nan
    state.message = "worst #\(state.worstIndex + 1)/\(state.worstRanking.count): mean |\(modelName(state.focus))-"
      + (versusBase ? modelName(state.baseline) : "HR") + "| = " + String(format: "%.4f", score) + " (W: next)"
  }

  /// The montage request of the current comparison (same panels as on screen, blink off; the
  /// default theme and panel size, as `srscope compare` without `--theme`/`--panel-size`).
  func montageRequest() -> ComparisonMontage.Request? {
    guard let set = data.imageSet(state.imageIndex) else { return nil }
    let crop = state.crop(in: PixelSize(width: set.hr.width, height: set.hr.height))
    return ComparisonMontage.Request(image: state.imageIndex, models: state.shownModels,
                                     baseline: state.baseline, crop: crop, errorMode: state.errorMode)
  }

  /// Writes the montage PNG and shows the equivalent command line in the status bar.
  func export(term: TerminalDevice) {
    guard let set = data.imageSet(state.imageIndex) else { state.message = "export: image not loaded"; return }
    let crop = state.crop(in: PixelSize(width: set.hr.width, height: set.hr.height))
    let stem = set.name.split(separator: "/").last.map(String.init) ?? "image"
    let base = stem.hasSuffix(".png") ? String(stem.dropLast(4)) : stem
    let path = exportDirectory + "/compare-\(base)-\(crop.x)_\(crop.y)_\(crop.width)x\(crop.height).png"
    do {
      guard let request = montageRequest(),
            let image = ComparisonMontage.render(request, data: data, metrics: { cropMetrics(model: $0, crop: $1) })
      else { state.message = "export: image not loaded"; return }
      try Montage.writePNG(image, to: path)
      let command = CompareRequest(imageIndex: state.imageIndex, imageName: set.name,
                                   models: state.shownModels.map(modelName), baseline: modelName(state.baseline),
                                   crop: crop, errorMode: state.errorMode, outputPath: path)
      lastExportCommand = compareCommand(command)
      state.message = "wrote \(path) | \(lastExportCommand ?? "")"
    } catch {
      state.message = "export failed: \(error)"
    }
  }
}
