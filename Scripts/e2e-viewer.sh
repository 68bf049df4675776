#!/bin/sh
# End-to-end check of the terminal viewer (TERMINAL.md §4):
#   1. sixel: xterm (decGraphicsID vt340) under Xvfb, keys through xdotool (XTEST), screenshots with
#      `import -window root`, pixel checks in Python (numpy, on PPM screenshots);
#   2. half-blocks: tmux 3.3 (which swallows sixel), capture-pane text asserts.
# Usage: Scripts/e2e-viewer.sh [viewer command]   (default: "srscope view --demo"; the script adds
#        "--graphics sixel|blocks"). Needs: Xvfb xterm xdotool imagemagick tmux python3 (numpy).
# Output: screenshots and logs in $OUT (default /tmp/e2e-viewer); exit 0 on success.
set -eu
VIEWER=${1:-${VIEWER:-srscope view --demo}}
OUT=${OUT:-/tmp/e2e-viewer}
mkdir -p "$OUT"; rm -f "$OUT"/*.rc "$OUT"/*.check
fail() { echo "FAIL: $*" >&2; exit 1; }
started_xvfb=""
cleanup() {
  [ -n "${xpid:-}" ] && kill "$xpid" 2>/dev/null || true
  # Wait for the server to exit: a dying Xvfb removes its socket, and the next script's server may
  # already have taken the same display number (seen: "xterm: Can't open display" in CI).
  [ -n "$started_xvfb" ] && { kill "$started_xvfb" 2>/dev/null; wait "$started_xvfb" 2>/dev/null; } || true
  tmux -L e2eviewer kill-server 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# ---- 1. sixel in xterm under Xvfb -------------------------------------------------------------
# A display we can reach: the caller's, else our own Xvfb on a free display number. Xvfb writes the
# number to fd 3 only once it accepts connections (a fixed sleep lost that race on a cold CI machine).
# -noreset: an X server resets when its last client leaves, and refuses connections meanwhile; the
# xdpyinfo check below was such a client, and xterm sometimes arrived during the reset ("Can't open
# display", 1 run in 4 here).
if [ -z "${DISPLAY:-}" ] || ! xdpyinfo >/dev/null 2>&1; then
  : > "$OUT/xvfb.display"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$OUT/xvfb.display" 2>"$OUT/xvfb.log" &
  started_xvfb=$!
  i=0
  while [ ! -s "$OUT/xvfb.display" ] && [ $i -lt 300 ]; do
    kill -0 "$started_xvfb" 2>/dev/null || fail "Xvfb exited: $(tail -2 "$OUT/xvfb.log" | tr '\n' ' ')"
    sleep 0.1; i=$((i+1))
  done
  [ -s "$OUT/xvfb.display" ] || fail "Xvfb did not accept connections within 30 s: $(tail -2 "$OUT/xvfb.log" | tr '\n' ' ')"
  export DISPLAY=":$(head -1 "$OUT/xvfb.display")"
fi
xdpyinfo >/dev/null 2>&1 || fail "cannot open X display $DISPLAY"
xterm -xrm 'XTerm*decGraphicsID: vt340' -xrm 'XTerm*numColorRegisters: 1024' \
      -xrm 'XTerm*maxGraphicSize: 4096x4096' -geometry 120x36+0+0 -fa 'DejaVu Sans Mono' -fs 12 \
      -bg black -fg white -title e2eviewer \
      -e sh -c "$VIEWER --graphics sixel 2>$OUT/sixel.err; echo \$? > $OUT/sixel.rc" &
xpid=$!
wid=""; i=0
while [ -z "$wid" ] && [ $i -lt 300 ]; do wid=$(xdotool search --name '^e2eviewer$' 2>/dev/null | head -1 || true); sleep 0.1; i=$((i+1)); done
[ -n "$wid" ] || fail "xterm window did not appear"
xdotool windowfocus --sync "$wid" 2>/dev/null || true
shot() { sleep 1; import -window root "$OUT/$1.png"; /usr/bin/convert "$OUT/$1.png" "$OUT/$1.ppm"; }
# Pixel checks on a screenshot: "panels" (>= 3 coloured pictures side by side), "hot" (red
# error-map pixels) or "differs OTHER" (changed from another screenshot); prints what it found,
# exits 1 when the check fails.
cat > "$OUT/check.py" <<'PY'
import sys, numpy as np
def load(path):  # binary PPM (P6, maxval 255) written by convert
    raw = open(path, "rb").read()
    parts = raw.split(maxsplit=4)
    w, h = int(parts[1]), int(parts[2])
    return np.frombuffer(parts[4][:w * h * 3], dtype=np.uint8).reshape(h, w, 3).astype(int)
what, path = sys.argv[1], sys.argv[2]
a = load(path)
if what == "panels":  # pictures: many saturated pixels; text is white/grey on black
    sat = (a.max(axis=2) - a.min(axis=2)) > 60
    cols = np.nonzero(sat.any(axis=0))[0]
    runs = np.split(cols, np.nonzero(np.diff(cols) > 8)[0] + 1) if cols.size else []
    print(f"{sat.sum()} coloured px in {len(runs)} panels")
    sys.exit(0 if sat.sum() > 5000 and len(runs) >= 3 else 1)
if what == "differs":
    changed = (np.abs(a - load(sys.argv[3])).sum(axis=2) > 30).sum()
    print(f"{changed} px changed")
    sys.exit(0 if changed > 1000 else 1)
red = (a[..., 0] > 150) & (a[..., 1] < 80) & (a[..., 2] < 80)
print(f"{red.sum()} hot px")
sys.exit(0 if red.sum() > 50 else 1)
PY
# Screenshots until the check passes (start-up, terminal probe and first encode take seconds on a
# cold machine; keys sent before the first picture would be lost), at most $2 tries.
shot_until() {
  n=0
  while :; do
    shot "$1"
    python3 "$OUT/check.py" "$3" "$OUT/$1.ppm" ${4:+"$4"} >"$OUT/$1.check" && return 0
    n=$((n+1)); [ $n -lt "$2" ] || fail "$1: $(cat "$OUT/$1.check") after $n screenshots"
  done
}
shot_until sixel-1 60 panels
xdotool key e; shot_until sixel-errormap 10 hot
xdotool key e e e question; shot_until sixel-help 10 differs "$OUT/sixel-1.ppm"
# The exit status, once written (polled: a slow machine may take a while to tear down).
exit_status() { n=0; until [ -s "$1" ] || [ $n -ge 100 ]; do sleep 0.1; n=$((n+1)); done; cat "$1" 2>/dev/null; }
xdotool key q
[ "$(exit_status "$OUT/sixel.rc")" = "0" ] || fail "viewer did not exit with 0 after q: $(cat "$OUT/sixel.err" 2>/dev/null)"
echo "sixel ok: $(cat "$OUT/sixel-1.check"), $(cat "$OUT/sixel-errormap.check") in the error map"
kill "$xpid" 2>/dev/null || true; xpid=""

# ---- 2. half-blocks inside tmux ----------------------------------------------------------------
T="tmux -L e2eviewer"
$T -f /dev/null new-session -d -s v -x 140 -y 40 "TERM=tmux-256color COLORTERM=truecolor $VIEWER --graphics blocks 2>$OUT/tmux.err; echo \$? > $OUT/tmux.rc; sleep 30"
i=0
until $T capture-pane -p -t v | grep -q "PSNR-Y"; do sleep 0.2; i=$((i+1)); [ $i -lt 300 ] || fail "no table in tmux"; done
sleep 0.5
# Captures the pane into $OUT/$1 until it matches the regex $2 (at most 10 s).
pane_until() {
  n=0
  until $T capture-pane -p -t v > "$OUT/$1" && grep -q "$2" "$OUT/$1"; do
    sleep 0.2; n=$((n+1)); [ $n -lt 50 ] || return 1
  done
}
$T capture-pane -p -t v > "$OUT/tmux-1.txt"
grep -q "LR x" "$OUT/tmux-1.txt" || fail "LR panel label missing"
grep -q "^HR\| HR" "$OUT/tmux-1.txt" || fail "HR panel label missing"
grep -q "dPSNR" "$OUT/tmux-1.txt" || fail "metric table header missing"
$T capture-pane -p -e -t v | grep -q '48;2;' || fail "no 24-bit half-block colours in tmux"
$T send-keys -t v '?'
pane_until tmux-help.txt "srscope view - keys" || fail "help overlay missing"
$T send-keys -t v Escape n
pane_until tmux-next.txt "\[2/" || fail "n did not move to image 2"
$T resize-window -t v -x 30 -y 10 2>/dev/null || true; sleep 0.5
$T capture-pane -p -t v > "$OUT/tmux-small.txt"
$T send-keys -t v C-c
[ "$(exit_status "$OUT/tmux.rc")" = "0" ] || fail "viewer did not exit cleanly on Ctrl-C: $(cat "$OUT/tmux.err")"
echo "tmux ok"
echo "PASS (artefacts in $OUT)"
