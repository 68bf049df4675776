#!/usr/bin/env bash
# The one command that sets up and runs every test on a fresh Debian machine:
#   installs missing apt packages, fetches assets (pinned, checksummed), builds in release,
#   runs `swift test`, the ncnn oracle comparison on real photos, and the viewer end-to-end test.
# Opt-in slow checks: SRSCOPE_SLOW=1 (full-size ncnn comparison on several photos).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
export SRSCOPE_ASSETS="${SRSCOPE_ASSETS:-$HOME/.cache/srscope}"
BUILD_FLAGS=(-c release -Xswiftc -enable-testing)
swift build "${BUILD_FLAGS[@]}"
test_status=0
swift test "${BUILD_FLAGS[@]}" 2>&1 | tee /tmp/srscope-swift-test.log || test_status=$?
BIN="$(swift build "${BUILD_FLAGS[@]}" --show-bin-path)/srscope"
PY="$SRSCOPE_ASSETS/venv/bin/python"
echo "== ncnn oracle comparison (real models, real photos) =="
compare_status=0
if [[ "${SRSCOPE_SLOW:-0}" == 1 ]]; then
  "$PY" Scripts/compare_ncnn.py --srscope "$BIN" --threads 2 --crop 96 \
    --images "$SRSCOPE_ASSETS"/photos/{astronaut,chelsea,coffee}.png || compare_status=$?
else
  "$PY" Scripts/compare_ncnn.py --srscope "$BIN" --threads 2 --crop 32 --images "$SRSCOPE_ASSETS/photos/coffee.png" \
    || compare_status=$?
fi
echo "== eval end-to-end (labels, results folders, errors, Slurm and GNU parallel shards) =="
eval_status=0
Scripts/e2e-eval.sh "$BIN" || eval_status=$?
echo "== broken and hostile inputs through the CLI =="
Scripts/e2e-hostile.sh "$BIN" || eval_status=$?
echo "== viewer end-to-end (xterm+sixel under Xvfb, tmux half-blocks) =="
e2e_status=0
Scripts/e2e-viewer.sh "$BIN view --demo" || e2e_status=$?
echo "== viewer on tiny real models (tmux) =="
Scripts/e2e-viewer-models.sh "$BIN" || e2e_status=$?
echo "== viewer in sixel terminals as they are (xterm -ti vt340, xterm 4096x4096, mlterm) under Xvfb =="
Scripts/e2e-viewer-terminals.sh "$BIN" || e2e_status=$?
echo "== fuzzing (Fuzz/: every libFuzzer target for 30 s) =="
fuzz_status=0; Scripts/fuzz.sh 30 || fuzz_status=$?
tail -3 /tmp/srscope-swift-test.log
exit $(( test_status || compare_status || eval_status || e2e_status || fuzz_status ))
