import Foundation

/// Formats the whole-image metric table: one row per model, with deltas against the baseline.
public enum MetricTable {
  /// Column header line.
  public static let header =
    "   model               PSNR-Y    SSIM   LPIPS    NIQE |  dPSNR    dSSIM   dLPIPS    dNIQE"

  /// One table line. Markers: `*` shown, `>` focus (model A), `B` baseline; missing values show `...`.
  /// A model that failed shows its `error` in place of the numbers.
  public static func row(index: Int, name: String, metrics: MetricRow?, baseline: MetricRow?, isShown: Bool,
                         isFocus: Bool, isBaseline: Bool, error: String? = nil) -> String {
    let key = index < 9 ? "\(index + 1)" : " "
    let marks = (isShown ? "*" : " ") + (isFocus ? ">" : isBaseline ? "B" : " ")
    var line = key + marks + pad(name, 18) + " "
    if let error { return line + "error: " + error }
    line += num(metrics?.psnrY, "%.2f", 7) + " " + num(metrics?.ssimY, "%.4f", 7) + " "
      + num(metrics?.lpips, "%.4f", 7) + " " + num(metrics?.niqe, "%.3f", 7) + " |"
    if isBaseline {
      line += "  (baseline)"
    } else {
      line += " " + delta(metrics?.psnrY, baseline?.psnrY, "%+.2f", 7)
        + " " + delta(metrics?.ssimY, baseline?.ssimY, "%+.4f", 8)
        + " " + delta(metrics?.lpips, baseline?.lpips, "%+.4f", 8)
        + " " + delta(metrics?.niqe, baseline?.niqe, "%+.3f", 8)
    }
    return line
  }

  /// Crop metrics as they appear under a panel's name, shortened to fit `width`.
  public static func cropLabel(_ m: MetricRow?, width: Int) -> String {
    guard let m else { return fit("computing...", width) }
    let full = "PSNR-Y " + num(m.psnrY, "%.2f", 0) + "  SSIM " + num(m.ssimY, "%.4f", 0)
      + "  LPIPS " + num(m.lpips, "%.4f", 0)
    if full.count <= width { return full }
    let short = num(m.psnrY, "%.2f", 0) + "dB " + num(m.ssimY, "%.3f", 0) + " L" + num(m.lpips, "%.3f", 0)
    return fit(short, width)
  }

  /// Right-pads or truncates to exactly `width` characters (truncation ends with `~`).
  public static func pad(_ s: String, _ width: Int) -> String {
    if s.count <= width { return s + String(repeating: " ", count: width - s.count) }
    return String(s.prefix(max(0, width - 1))) + "~"
  }

  /// Truncates to at most `width` characters.
  public static func fit(_ s: String, _ width: Int) -> String {
    s.count <= width ? s : String(s.prefix(max(0, width - 1))) + "~"
  }

  static func num(_ v: Double?, _ format: String, _ width: Int) -> String {
    let s: String
    // nil: not ready yet; NaN: the data source says the metric cannot be computed for this image.
    if let v { s = v.isNaN ? "n/a" : v.isInfinite ? "inf" : String(format: format, v) } else { s = "..." }
    return s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
  }

  static func delta(_ v: Double?, _ base: Double?, _ format: String, _ width: Int) -> String {
    guard let v, let base else { return num(nil, format, width) }
    guard v.isFinite, base.isFinite else { return num(v.isNaN || base.isNaN ? .nan : nil, format, width) }
    return num(v - base, format, width)
  }
}
