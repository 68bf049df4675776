/// The `?` help text, drawn as a box over the panels.
public enum HelpOverlay {
  /// Lines of the help box (without the border).
  public static let lines = [
    "srscope view - keys",
    "",
    "arrows / h j k l     move the crop (an 1/8 crop step)",
    "shift+arrows / HJKL  move the crop by half a crop",
    "+ / -  (wheel)       magnify / reduce the same crop (fit: the window)",
    "[ / ]                smaller / larger crop",
    "n / p  PgDn / PgUp   next / previous image",
    "1-9                  show / hide model N (shown = * in table)",
    "Tab                  cycle model A (> in table)",
    "a                    show the next hidden model as A (models past 9)",
    "b                    cycle the baseline (B in table)",
    "space                blink: A and baseline (or HR) in place",
    "< / >                A<->base network interpolation: alpha -/+ 0.1",
    "                     (every weight (1-a)*A + a*base; Esc: panel off)",
    "e                    error map: off, |SR-HR|, |A-base|, LPIPS",
    "w / W                worst crop of A vs HR over the set (vs base in |A-base|)",
    "m                    table: this image / mean over the set",
    "x                    export NAME.png + NAME.sh (its compare command)",
    "click                centre the crop there",
    "? / Esc              close help        q / Ctrl-C  quit",
    "",
    "n/a: cannot be computed here. SSIM needs a crop of 11+ px, LPIPS",
    "its network's minimum side (the legend says when), NIQE an image",
    "of two 96-px blocks; a failed model shows its error instead.",
  ]

  /// Draws the box centred on the screen (clipped when the screen is narrow).
  static func draw(on term: TerminalDevice) {
    let size = term.size
    let inner = min(size.cols - 4, (lines.map(\.count).max() ?? 0) + 2)
    guard inner > 4 else { return }
    let top = max(1, (size.rows - lines.count - 2) / 2), left = max(0, (size.cols - inner - 2) / 2)
    let border = "+" + String(repeating: "-", count: inner) + "+"
    term.write(border, row: top, col: left, attributes: .bold)
    for (i, line) in lines.enumerated() where top + 1 + i < size.rows - 1 {
      term.write("|" + MetricTable.pad(" " + line, inner) + "|", row: top + 1 + i, col: left,
                 attributes: i == 0 ? .bold : [])
    }
    if top + 1 + lines.count < size.rows - 1 {
      term.write(border, row: top + 1 + lines.count, col: left, attributes: .bold)
    }
  }
}
