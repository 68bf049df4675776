#!/usr/bin/env bash
# End-to-end: sixel as each terminal offers it (issue 12). On our own Xvfb (2560x1100, so a
# 250-column terminal fits), in three terminals:
#   xterm-vt340    `xterm -ti vt340`, default resources (maxGraphicSize 1000x1000), 250x50 cells
#   xterm-4096     xterm with decGraphicsID vt340, maxGraphicSize 4096x4096, numColorRegisters 1024
#   mlterm         mlterm (Debian), no XTSMGRAPHICS geometry reply (1000x1000 assumed)
# In each: `srscope view --demo` (five panels), then `srscope view` (Ablations/ablations.yml) with Tab
# until model A has a training log, so the run chart shows beside the table. The viewer is run under
# `script` (the typescript shows what reached the terminal: the title line is grepped there for the
# palette), with SRSCOPE_PROBE_LOG (the raw probe replies) and SRSCOPE_GRAPHICS_LOG (each frame's
# picture rectangles). Screenshots (`/usr/bin/import -window root`, converted with /usr/bin/convert)
# are polled until every logged picture rectangle shows picture pixels (Python check below).
# Usage: Scripts/e2e-viewer-terminals.sh [path/to/srscope]   Output: $OUT (default /tmp/e2e-viewer-terminals)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-.build/release/srscope}")
OUT=${OUT:-/tmp/e2e-viewer-terminals}
rm -rf "$OUT"; mkdir -p "$OUT"
fail() { echo "FAIL: $*" >&2; exit 1; }
xvfb=""; term_pid=""
cleanup() {
  [[ -n $term_pid ]] && kill "$term_pid" 2>/dev/null || true
  [[ -n $xvfb ]] && { kill "$xvfb" 2>/dev/null; wait "$xvfb" 2>/dev/null; } || true  # its socket goes before the next server starts
}
trap cleanup EXIT INT TERM
for tool in Xvfb xterm mlterm xdotool script python3 /usr/bin/import /usr/bin/convert; do
  command -v "$tool" >/dev/null || fail "$tool is missing (Scripts/setup.sh installs it)"
done

# Our own X server: Xvfb writes the display number to fd 3 once it accepts connections.
Xvfb -displayfd 3 -screen 0 2560x1100x24 -nolisten tcp -noreset 3>"$OUT/xvfb.display" 2>"$OUT/xvfb.log" &
xvfb=$!
for _ in $(seq 300); do [[ -s $OUT/xvfb.display ]] && break; kill -0 "$xvfb" 2>/dev/null || fail "Xvfb exited"; sleep 0.1; done
[[ -s $OUT/xvfb.display ]] || fail "Xvfb did not come up"
export DISPLAY=":$(head -1 "$OUT/xvfb.display")"

# Pixel check: every picture of the last frame (rectangles from the graphics log, in cells) shows a
# picture in the screenshot: inside the rectangle (4 px margin for the terminal's border), at least 60 %
# of the pixels are not the black background and each quarter of its width holds some (so a clipped or
# dropped part fails); panels need colour (saturated pixels), the chart (the picture right of the
# table, column 98) needs the highlighted curve's colour. Prints one line; exit 1 if a picture is missing.
cat > "$OUT/check.py" <<'PY'
import sys, numpy as np
shot, log, need_chart = sys.argv[1], sys.argv[2], sys.argv[3] == "chart"
raw = open(shot, "rb").read(); parts = raw.split(maxsplit=4)
w, h = int(parts[1]), int(parts[2])
a = np.frombuffer(parts[4][:w * h * 3], dtype=np.uint8).reshape(h, w, 3).astype(int)
lines = open(log).read().split("\n")
cw, ch = map(int, lines[0].split()[1:3])
pics = [list(map(int, l.split())) for l in lines[1:] if l.strip()]
found, missing, chart = [], [], None
for row, col, rows, cols, pw, ph in pics:
    x0, y0 = col * cw + 4, row * ch + 4
    x1, y1 = col * cw + min(cols * cw, pw or cols * cw) - 4, row * ch + min(rows * ch, ph or rows * ch) - 4
    box = a[y0:y1, x0:x1]
    lit = box.sum(axis=2) > 40
    sat = (box.max(axis=2) - box.min(axis=2)) > 60
    quarters = [lit[:, i * lit.shape[1] // 4:(i + 1) * lit.shape[1] // 4].mean() for i in range(4)]
    is_chart = col == 98
    ok = lit.mean() > 0.6 and min(quarters) > 0.3 and sat.sum() >= (20 if is_chart else 50)
    name = ("chart" if is_chart else "panel") + f"@{row},{col} {pw}x{ph}px"
    (found if ok else missing).append(name)
    if is_chart: chart = name
print(f"{len(found)} of {len(pics)} pictures drawn" + (f"; missing: {', '.join(missing)}" if missing else "")
      + (f"; chart {chart}" if chart else "; no chart"))
sys.exit(0 if pics and not missing and (chart or not need_chart) else 1)
PY

# The terminal command for TERMINAL (xterm-vt340 | xterm-4096 | mlterm) with window title TITLE.
terminal() {
  local colours=(-bg black -fg white -title "$2") font=(-fa 'DejaVu Sans Mono' -fs 12 -geometry 250x50+0+0)
  case $1 in
    xterm-vt340) tcmd=(xterm -ti vt340 "${font[@]}" "${colours[@]}") ;;
    xterm-4096) tcmd=(xterm -xrm 'XTerm*decGraphicsID: vt340' -xrm 'XTerm*maxGraphicSize: 4096x4096'
                      -xrm 'XTerm*numColorRegisters: 1024' "${font[@]}" "${colours[@]}") ;;
    mlterm) tcmd=(mlterm -g 250x46+0+0 -b black -f white -T "$2") ;;
  esac
}

# run NAME TERMINAL VIEWER-ARGS KIND(panels|chart) [KEYS...]: starts the terminal running the viewer,
# polls screenshots until the check passes (with KEYS: pressed one per try, until the chart picture is
# logged), then quits with q.
run() {
  local name=$1 term=$2 args=$3 kind=$4; shift 4
  local dir="$OUT/$name"; mkdir -p "$dir"
  local inner="SRSCOPE_PROBE_LOG=$dir/probe.txt SRSCOPE_GRAPHICS_LOG=$dir/graphics.txt $BIN view $args --graphics sixel"
  terminal "$term" "e2e-$name"
  "${tcmd[@]}" -e script -qfec "$inner 2>$dir/err" "$dir/typescript" &
  term_pid=$!
  local wid=""
  for _ in $(seq 300); do wid=$(xdotool search --name "^e2e-$name\$" 2>/dev/null | head -1 || true); [[ -n $wid ]] && break; sleep 0.1; done
  [[ -n $wid ]] || fail "$name: terminal window did not appear"
  xdotool windowfocus --sync "$wid" 2>/dev/null || true
  local n=0 keys=$#
  while :; do
    sleep 0.5
    if [[ -s $dir/graphics.txt ]]; then
      if [[ $# -gt 0 ]] && ! grep -q '^[0-9]* 98 ' "$dir/graphics.txt"; then xdotool key "$1"; shift; continue; fi
      /usr/bin/import -window root "$dir/shot.png" && /usr/bin/convert "$dir/shot.png" "$dir/shot.ppm"
      python3 "$OUT/check.py" "$dir/shot.ppm" "$dir/graphics.txt" "$kind" > "$dir/check.txt" && break
    fi
    n=$((n+1)); [[ $n -lt 240 ]] || fail "$name: $(cat "$dir/check.txt" 2>/dev/null || echo 'no pictures logged') after 120 s"
  done
  cp "$dir/shot.png" "$OUT/$name.png"
  xdotool key q
  for _ in $(seq 100); do kill -0 "$term_pid" 2>/dev/null || break; sleep 0.1; done
  kill "$term_pid" 2>/dev/null || true; wait "$term_pid" 2>/dev/null || true; term_pid=""
  echo "$name: $(cat "$dir/check.txt"); $((keys - $#)) keys; probe: $(grep '^parsed' "$dir/probe.txt" | sed 's/.*label=//')"
}

# The title line must name the palette (as sent to the terminal, from the typescript).
title() { grep -aqF -- "$2" "$OUT/$1/typescript" || fail "$1: title line lacks '$2'"; }

for t in xterm-vt340 xterm-4096 mlterm; do
  case $t in
    xterm-vt340) palette='sixel 1024 colours (XTerm(379), max 1000x1000)' ;;
    xterm-4096) palette='sixel 1024 colours (XTerm(379), max 4096x4096)' ;;
    mlterm) palette='sixel 1024 colours (mlterm' ;;
  esac
  run "$t-demo" "$t" "--demo" panels
  title "$t-demo" "$palette"
  run "$t-chart" "$t" "" chart Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab
  title "$t-chart" "$palette"
done
# In xterm's default 1000x1000 no picture may be larger (the log has every picture of the last frame).
for d in "$OUT"/xterm-vt340-*/; do
  awk 'NR > 1 && ($5 > 1000 || $6 > 1000) { bad = 1; print FILENAME ": " $0 } END { exit bad }' "${d}graphics.txt" \
    || fail "a picture larger than 1000x1000 was sent to xterm -ti vt340"
done
echo "e2e-viewer-terminals: OK (screenshots in $OUT/*.png)"
