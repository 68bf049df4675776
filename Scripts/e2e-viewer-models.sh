#!/usr/bin/env bash
# End-to-end: the viewer on tiny real checkpoints (the SRModels test fixtures) and small photo
# crops, in tmux (half-blocks). Checks that every model's output and metrics arrive through the
# background pipeline, that the error map and help overlay change the screen, that the run chart
# shows the selected model's training log (and a note for models without a readable one), and that
# q exits 0. Then two CLI error paths: `plot` on a garbled log, `upscale` under --max-memory 1K.
# Usage: Scripts/e2e-viewer-models.sh [path/to/srscope]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-.build/release/srscope}")
OUT=${OUT:-/tmp/e2e-viewer-models}
rm -rf "$OUT"; mkdir -p "$OUT/hr"
cp Tests/SRMetricsTests/Fixtures/astronaut64.png Tests/SRMetricsTests/Fixtures/coffee100.png "$OUT/hr/"
# Training logs: a real one (validation PSNR-Y 22.47 ... 28.17 dB) and a garbled one (no chart).
# A fixed trainer log (the first study's rrdb run, 1500 iterations), so the expected labels never move.
cp Scripts/fixtures/training-log-rrdb-1500.csv "$OUT/srvgg-log.csv"
printf 'PK\003\004\000\377garbage,,\n\001\002' > "$OUT/garbled-log.csv"
cat > "$OUT/tiny.yml" <<YML
title: tiny e2e
scale: 4
images: {hr: $OUT/hr}
models:
  - {name: tiny-msrresnet, path: $PWD/Tests/SRModelsTests/Fixtures/msrresnet_x4.safetensors, training_log: $OUT/garbled-log.csv}
  - {name: tiny-srvgg, path: $PWD/Tests/SRModelsTests/Fixtures/srvgg_x4.safetensors, training_log: $OUT/srvgg-log.csv}
YML
fail() { echo "FAIL: $*" >&2; tmux -L e2emodels capture-pane -t v -p >&2 || true; tmux -L e2emodels kill-server 2>/dev/null || true; exit 1; }
screen() { tmux -L e2emodels capture-pane -t v -p; }
# Ends the previous tmux server and waits until it is gone: a new session started while it is still
# exiting fails with "server exited unexpectedly" (seen 1 run in 3 on a loaded machine).
no_tmux() {
  tmux -L e2emodels kill-server 2>/dev/null || true
  local msg
  for _ in $(seq 50); do
    if ! msg=$(tmux -L e2emodels ls 2>&1) && ! grep -q 'exited unexpectedly' <<<"$msg"; then return; fi
    sleep 0.1
  done
}
no_tmux
tmux -L e2emodels new-session -d -s v -x 160 -y 50 \
  "SRSCOPE_CACHE=$OUT/cache $BIN view --manifest $OUT/tiny.yml --graphics blocks --threads 2 2>$OUT/err; echo RC=\$? > $OUT/rc; sleep 30"
# Wait for both models' whole-image metrics on the first image (rows show a number, not "...").
for _ in $(seq 1 120); do
  s=$(screen)
  if grep -qE 'tiny-msrresnet +[0-9]+\.[0-9]+' <<<"$s" && grep -qE 'tiny-srvgg +[0-9]+\.[0-9]+' <<<"$s"; then break; fi
  sleep 0.5
done
s=$(screen); echo "$s" > "$OUT/main.txt"
grep -qE 'tiny-msrresnet +[0-9]+\.[0-9]+' <<<"$s" || fail "msrresnet metrics never appeared"
grep -qE 'tiny-srvgg +[0-9]+\.[0-9]+' <<<"$s" || fail "srvgg metrics never appeared"
grep -q 'bicubic' <<<"$s" || fail "bicubic baseline row missing"
# NIQE needs two 96-pixel blocks: on the 64x64 crop it must read n/a, not "..." (still loading).
grep -qE 'tiny-srvgg +[0-9.]+ +[0-9.]+ +[0-9.]+ +n/a' <<<"$s" || fail "NIQE of a 64x64 image not shown as n/a"
grep -q '▀' <<<"$s" || fail "no half-block pictures drawn"
# The screen once it satisfies a test (polled for at most 10 s; the last capture either way).
until_screen() {
  local now
  for _ in $(seq 1 50); do now=$(screen); if "$@" "$now"; then break; fi; sleep 0.2; done
  echo "$now"
}
differs_from_main() { [[ "$1" != "$s" ]]; }
shows() { local pattern=$1; grep -q -- "$pattern" <<<"$2"; }
tmux -L e2emodels send-keys -t v e
e=$(until_screen differs_from_main); echo "$e" > "$OUT/errormap.txt"
[[ "$e" != "$s" ]] || fail "error-map key did not change the screen"
tmux -L e2emodels send-keys -t v '?'
h=$(until_screen shows 'srscope view - keys'); echo "$h" > "$OUT/help.txt"
grep -q 'srscope view - keys' <<<"$h" || fail "help overlay not shown"
tmux -L e2emodels send-keys -t v Escape
# Run chart of model A (tiny-srvgg, the last model): title, y labels, x labels, a picture beside the table.
title='val PSNR-Y: tiny-srvgg (A)  last 28.17 dB @1500  best 28.17 @1400'
chart_without_help() { grep -q -- "$title" <<<"$1" && ! grep -q 'srscope view - keys' <<<"$1"; }
c=$(until_screen chart_without_help); echo "$c" > "$OUT/chart.txt"
grep -q "$title" <<<"$c" || fail "run chart title missing"
grep -q 'srscope view - keys' <<<"$c" && fail "help overlay still shown after Escape"
# y labels in columns 92-97 (the table ends at 90, the picture starts at 99).
grep -qx ' 28\.17' <(cut -c92-97 <<<"$c") || fail "run chart max-dB label missing"
grep -qx ' 22\.47' <(cut -c92-97 <<<"$c") || fail "run chart min-dB label missing"
grep -qE '^100 +iteration +1500$' <(cut -c99- <<<"$c") || fail "run chart iteration labels missing"
tmux -L e2emodels send-keys -t v Tab
grep -q 'validation PSNR-Y: bicubic has no training log' <<<"$(until_screen shows 'bicubic has no training log')" \
  || fail "bicubic should have no chart"
tmux -L e2emodels send-keys -t v Tab
g=$(until_screen shows 'tiny-msrresnet has no training log'); echo "$g" > "$OUT/chart-garbled.txt"
grep -q 'validation PSNR-Y: tiny-msrresnet has no training log' <<<"$g" || fail "garbled log should give no chart"
tmux -L e2emodels send-keys -t v q
for _ in $(seq 1 20); do [[ -f "$OUT/rc" ]] && break; sleep 0.5; done
grep -q 'RC=0' "$OUT/rc" 2>/dev/null || fail "viewer did not exit with 0 ($(cat "$OUT/rc" 2>/dev/null), $(head -c 300 "$OUT/err"))"
tmux -L e2emodels kill-server 2>/dev/null || true
# A mistyped model path: its one-line error in its panel and table row, counted in the status line.
# Then `x` writes the montage and a .sh beside it whose `srscope compare` re-creates the same PNG.
cat > "$OUT/typo.yml" <<YML
scale: 4
images: {hr: $OUT/hr}
models:
  - {name: tiny-srvgg, path: $PWD/Tests/SRModelsTests/Fixtures/srvgg_x4.safetensors}
  - {name: typo, path: $OUT/no-such-model.safetensors}
YML
mkdir -p "$OUT/export"
no_tmux
tmux -L e2emodels new-session -d -s v -x 160 -y 50 \
  "cd $OUT/export && SRSCOPE_CACHE=$OUT/cache $BIN view --manifest $OUT/typo.yml --graphics blocks --threads 2; echo RC=\$? > $OUT/rc2; sleep 30"
f=$(until_screen shows '1 of 3 models failed'); echo "$f" > "$OUT/failed-model.txt"
grep -q 'ready | 1 of 3 models failed (error in panel and table)' <<<"$f" || fail "status line does not count the failed model"
grep -qE "^3\*>typo +error: $OUT/no-such-model.safetensors: No such file or directory" <<<"$f" \
  || fail "table row of the failed model has no error"
grep -q '^failed' <(cut -c1-60 <<<"$f" | sed -n '/^typo (A)/,+1p' | tail -1) || fail "failed model panel not marked"
grep -q 'computing' <<<"$f" && fail "a failed model still says computing"
tmux -L e2emodels send-keys -t v x
x=$(until_screen shows '\.sh (the srscope compare command)'); echo "$x" > "$OUT/export.txt"
png=$(ls "$OUT"/export/compare-*.png 2>/dev/null | head -1); sh=${png%.png}.sh
[[ -f "$png" && -x "$sh" ]] || fail "export did not write a PNG and an executable .sh: $(ls "$OUT/export")"
tmux -L e2emodels send-keys -t v q
cp "$png" "$OUT/exported.png"
SRSCOPE_CACHE=$OUT/cache sh "$sh" >/dev/null || fail "the exported script failed: $(cat "$sh")"
cmp -s "$png" "$OUT/exported.png" || fail "the exported script did not re-create the identical PNG"
tmux -L e2emodels kill-server 2>/dev/null || true
# The `<` / `>` interpolation panel: A (srvgg-b: the SRVGG fixture's weights x0.8, one architecture
# with the baseline tiny-srvgg) and the baseline. Three `>`: the panel "A<->base α=0.3" shows the
# crop, then the whole image (its crop metrics). Tab to bicubic hides it with the reason; with
# tiny-msrresnet as A, `>` says the architectures differ.
python3 - "$PWD/Tests/SRModelsTests/Fixtures/srvgg_x4.safetensors" "$OUT/srvgg-b.safetensors" <<'PY'
import json, struct, sys, numpy as np
raw = open(sys.argv[1], "rb").read(); n = struct.unpack("<Q", raw[:8])[0]
data = (np.frombuffer(raw[8 + n:], dtype=np.float32) * np.float32(0.8)).astype(np.float32)  # every tensor is F32
open(sys.argv[2], "wb").write(raw[:8 + n] + data.tobytes())
PY
cat > "$OUT/interp.yml" <<YML
scale: 4
images: {hr: $OUT/hr}
baseline: tiny-srvgg
models:
  - {name: tiny-msrresnet, path: $PWD/Tests/SRModelsTests/Fixtures/msrresnet_x4.safetensors}
  - {name: tiny-srvgg, path: $PWD/Tests/SRModelsTests/Fixtures/srvgg_x4.safetensors}
  - {name: srvgg-b, path: $OUT/srvgg-b.safetensors}
YML
no_tmux
tmux -L e2emodels new-session -d -s v -x 160 -y 50 \
  "SRSCOPE_CACHE=$OUT/cache $BIN view --manifest $OUT/interp.yml --graphics blocks --threads 2 2>$OUT/err3; echo RC=\$? > $OUT/rc3; sleep 30"
until_screen shows 'srvgg-b (A)' >/dev/null
tmux -L e2emodels send-keys -t v '>' '>' '>'
i=$(until_screen shows 'A<->base α=0\.3'); echo "$i" > "$OUT/interp.txt"
grep -q 'A<->base α=0\.3: the network 0\.7·srvgg-b + 0\.3·tiny-srvgg' <<<"$i" || fail "interpolation panel or legend missing"
# The whole image is there when the panel's second label line (under its title) has crop metrics.
whole() { awk '/A<->base α=0\.3 / { c = index($0, "A<->base"); getline; if (substr($0, c, 8) ~ /^PSNR-Y [0-9]/) ok = 1 } END { exit !ok }' <<<"$1"; }
w=$(until_screen whole); echo "$w" > "$OUT/interp-whole.txt"
whole "$w" || fail "the interpolated panel never showed the whole image's crop metrics"
tmux -L e2emodels send-keys -t v Tab
b=$(until_screen shows 'no A<->base interpolation'); echo "$b" > "$OUT/interp-bicubic.txt"
grep -q 'no A<->base interpolation: bicubic is not a network (the bicubic baseline), so it has no weights to interpolate' <<<"$b" \
  || fail "Tab to bicubic did not say why the panel went"
grep -q 'A<->base α=' <<<"$b" && fail "the panel stayed after Tab to bicubic"
tmux -L e2emodels send-keys -t v Tab '>'
m=$(until_screen shows 'MSRResNet'); echo "$m" > "$OUT/interp-mismatch.txt"
grep -q 'no A<->base interpolation: different architectures: tiny-msrresnet is MSRResNet, tiny-srvgg is SRVGGNetCompact' <<<"$m" \
  || fail "> with different architectures did not say so"
tmux -L e2emodels send-keys -t v q
for _ in $(seq 1 20); do [[ -f "$OUT/rc3" ]] && break; sleep 0.5; done
grep -q 'RC=0' "$OUT/rc3" 2>/dev/null || fail "viewer did not exit with 0 after the interpolation checks ($(head -c 300 "$OUT/err3"))"
tmux -L e2emodels kill-server 2>/dev/null || true
# `srscope plot` on a garbled log: exit status 1, one line naming the file, no usage text.
set +e
"$BIN" plot "$OUT/garbled-log.csv" --output "$OUT/plot.png" 2>"$OUT/plot.err" >/dev/null; prc=$?
set -e
[[ $prc == 1 ]] || fail "plot on a garbled log exited $prc"
[[ $(wc -l <"$OUT/plot.err") == 1 ]] || fail "plot error is not one line: $(cat "$OUT/plot.err")"
grep -qx "Error: $OUT/garbled-log.csv: not a readable training log with validation rows (iteration, val_psnr_y)" "$OUT/plot.err" \
  || fail "plot error message: $(cat "$OUT/plot.err")"
[[ ! -e "$OUT/plot.png" ]] || fail "plot wrote a PNG from a garbled log"
# `srscope upscale` under a budget below its images: one error line before allocating, no output;
# a budget between the images and the smallest tiles' activations: one warning, smallest tiles.
set +e
"$BIN" upscale --model Tests/SRModelsTests/Fixtures/msrresnet_x4.safetensors --input "$OUT/hr/coffee100.png" \
  --output "$OUT/up-1k.png" --max-memory 1K 2>"$OUT/up-1k.err"; urc=$?
set -e
[[ $urc == 1 ]] || fail "upscale with --max-memory 1K exited $urc"
grep -qxE 'Error: upscale: a 100x100 input gives a 400x400 output; images and weights need [0-9]+ MB, more than the budget of 1 KB \(--max-memory\); tiling cannot reduce them' \
  "$OUT/up-1k.err" || fail "no --max-memory error: $(cat "$OUT/up-1k.err")"
[[ ! -e "$OUT/up-1k.png" ]] || fail "upscale wrote an output over its budget"
"$BIN" upscale --model Tests/SRModelsTests/Fixtures/msrresnet_x4.safetensors --input "$OUT/hr/coffee100.png" \
  --output "$OUT/up.png" --max-memory 104M 2>"$OUT/up.err" || fail "upscale with --max-memory 104M failed: $(cat "$OUT/up.err")"
grep -qE '^upscale: warning: --max-memory 104 MB is below this run.s estimate with the smallest tiles \([0-9]+ MB\); it may use more$' \
  "$OUT/up.err" || fail "no --max-memory warning: $(cat "$OUT/up.err")"
grep -q 'in 16 tiles of 32x32' "$OUT/up.err" || fail "upscale did not take the smallest tiles: $(cat "$OUT/up.err")"
echo "e2e-viewer-models: OK (screens in $OUT)"
