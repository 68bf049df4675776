#!/usr/bin/env bash
# End-to-end checks of `srscope eval` on small real checkpoints (Ablations/) and photo crops:
# labels of same-named checkpoints, NAME=PATH clashes, scale mismatch, skipped files, a folder of
# SR images evaluated as a model (must equal the network it came from), LaTeX, progress lines,
# network interpolation (`interpolate`: values against NumPy, mismatches as one line, no file),
# and sharding: 3 shards run as a Slurm array (simulated: the script with SLURM_* set) and with
# GNU parallel, merged, must print the unsharded table (every column but the timings).
# Usage: Scripts/e2e-eval.sh [path/to/srscope]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-.build/release/srscope}")
ASSETS=${SRSCOPE_ASSETS:-$HOME/.cache/srscope}
OUT=${OUT:-/tmp/e2e-eval}
rm -rf "$OUT"; mkdir -p "$OUT/hr" "$OUT/runA" "$OUT/runB" "$OUT/EDSR"
export SRSCOPE_CACHE="$OUT/cache"
source Scripts/e2e-lib.sh
for p in astronaut chelsea coffee; do convert "$ASSETS/photos/$p.png" -gravity center -crop 128x96+0+0 +repage "$OUT/hr/$p.png"; done
echo "not an image" > "$OUT/hr/notes.txt"
cp Ablations/rrdb/iter_9000.safetensors "$OUT/runA/"
cp Ablations/srresnet/iter_9000.safetensors "$OUT/runB/"
A=(--hr "$OUT/hr" --model "$OUT/runA/iter_9000.safetensors" --model "$OUT/runB/iter_9000.safetensors" --threads 2)

# Help reaches the user (it once came out as "Error: CommandError(...)"), with the options of this issue.
"$BIN" --help | grep -q '^OVERVIEW: Run, measure and compare' || fail "srscope --help"
"$BIN" eval --help | grep -q -- '--shard <shard>' || fail "eval --help has no --shard"
"$BIN" upscale --help | tr -s ' \n' ' ' | grep -q 'default: 4G' || fail "upscale --help does not show the 4G default"

# Same file names: two rows, labelled by their run folders; progress one line per model.
"$BIN" eval "${A[@]}" --format csv >"$OUT/full.csv" 2>"$OUT/full.err"
grep -q '^runA/iter_9000,mean,' "$OUT/full.csv" || fail "no runA/iter_9000 mean row"
grep -q '^runB/iter_9000,mean,' "$OUT/full.csv" || fail "no runB/iter_9000 mean row"
grep -qx "eval: skipped $OUT/hr/notes.txt: not a .png, .jpg or .jpeg file" "$OUT/full.err" || fail "skipped file not listed"
grep -qE '^eval: runA/iter_9000: 3 images in [0-9.]+ s, mean PSNR-Y [0-9.]+ dB \(6/9 pairs done\)$' "$OUT/full.err" \
  || fail "no progress line per model: $(cat "$OUT/full.err")"
[[ $(grep -c ',mean,.*,3$' "$OUT/full.csv") == 3 ]] || fail "mean rows do not say 3 images"
# A second run reads the cache: the seconds column says so.
"$BIN" eval "${A[@]}" --format csv 2>/dev/null | grep -q '^runA/iter_9000,coffee.png,.*,218755,cached,$' || fail "cached not shown"

expect_error "Error: command line: two models are labelled 'x': $OUT/runA/iter_9000.safetensors and $OUT/runB/iter_9000.safetensors; name them (NAME=PATH)" \
  eval --hr "$OUT/hr" --model "x=$OUT/runA/iter_9000.safetensors" --model "x=$OUT/runB/iter_9000.safetensors"
expect_error "Error: model 'msrresnet_x3' ($PWD/Tests/SRModelsTests/Fixtures/msrresnet_x3.safetensors) is x3 but the data is x4 (scale from --scale)" \
  eval --hr "$OUT/hr" --scale 4 --model "$PWD/Tests/SRModelsTests/Fixtures/msrresnet_x3.safetensors"
expect_error "Error: models disagree on the scale: 'iter_9000' ($OUT/runA/iter_9000.safetensors) is x4, 'msrresnet_x3' ($PWD/Tests/SRModelsTests/Fixtures/msrresnet_x3.safetensors) is x3; give --scale and models of that scale" \
  eval --hr "$OUT/hr" --model "$OUT/runA/iter_9000.safetensors" --model "$PWD/Tests/SRModelsTests/Fixtures/msrresnet_x3.safetensors"

# A folder of SR images named as published result sets (HR stem + _x4_SR) is a model; made here
# from runA's outputs, it must score exactly as runA.
for p in astronaut chelsea coffee; do
  "$BIN" downscale --scale 4 --input "$OUT/hr/$p.png" --output "$OUT/lr-$p.png" >/dev/null
  "$BIN" upscale --model "$OUT/runA/iter_9000.safetensors" --input "$OUT/lr-$p.png" --output "$OUT/EDSR/${p}_x4_SR.png" >/dev/null 2>&1
done
"$BIN" eval --hr "$OUT/hr" --model "runA=$OUT/runA/iter_9000.safetensors" --model "EDSR=$OUT/EDSR" --no-bicubic --format csv \
  >"$OUT/results.csv" 2>/dev/null
diff <(grep '^runA,' "$OUT/results.csv" | cut -d, -f2-6) <(grep '^EDSR,' "$OUT/results.csv" | cut -d, -f2-6) \
  || fail "a results folder of runA's outputs does not score as runA"
grep -q '^EDSR,mean,.*,-,-,3$' "$OUT/results.csv" || fail "results folder: params and seconds should be '-'"
rm "$OUT/EDSR/chelsea_x4_SR.png"
expect_error "Error: model 'EDSR': $OUT/EDSR has no SR image for 1 of 3 HR files: chelsea.png" eval --hr "$OUT/hr" --model "EDSR=$OUT/EDSR"

# JPEG HR images are read (libjpeg-turbo), not skipped.
mkdir -p "$OUT/jpeg"; convert "$ASSETS/photos/coffee.png" -crop 96x96+200+150 -quality 95 "$OUT/jpeg/coffee.jpg"
"$BIN" eval --hr "$OUT/jpeg" --format csv 2>/dev/null | grep -q '^bicubic,coffee.jpg,' || fail "a JPEG HR image was not evaluated"

# Only --hr: the bicubic baseline alone.
"$BIN" eval --hr "$OUT/hr" --format csv 2>/dev/null | grep -q '^bicubic,mean,' || fail "bicubic-only eval"
"$BIN" eval "${A[@]}" --format latex 2>/dev/null >"$OUT/table.tex"
grep -q '^\\toprule$' "$OUT/table.tex" && grep -q 'textbf' "$OUT/table.tex" && grep -q 'runA/iter\\_9000' "$OUT/table.tex" \
  || fail "latex table: $(cat "$OUT/table.tex")"

# Shards, as a Slurm array (the script run as each task would be) and with GNU parallel.
for k in 1 2 3; do
  SRSCOPE="$BIN" SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3 \
    Scripts/slurm-eval.sh "$OUT/slurm" "${A[@]}" 2>/dev/null
done
"$BIN" eval --merge "$OUT"/slurm/shard-*-of-3.json --format csv >"$OUT/slurm.csv"
parallel "$BIN" eval "${A[@]}" --shard {}/3 --output "$OUT/par-{}.json" ::: 1 2 3 2>/dev/null
"$BIN" eval --merge "$OUT"/par-*.json --format csv >"$OUT/parallel.csv"
untimed() { cut -d, -f1-7,9 "$1"; }
diff <(untimed "$OUT/full.csv") <(untimed "$OUT/slurm.csv") || fail "Slurm shards merged differ from the unsharded run"
diff <(untimed "$OUT/full.csv") <(untimed "$OUT/parallel.csv") || fail "parallel shards merged differ from the unsharded run"
rm "$OUT/par-2.json"
expect_error "Error: 3 of 9 results missing (first: bicubic on chelsea.png); shards not given: 2 of 3" eval --merge "$OUT"/par-*.json
# Network interpolation (ESRGAN): rrdb and rrdb_p64 (fp16 files) blended at 0.3 and written as float32;
# every tensor checked against NumPy's blend of the parents, the result evaluated as a model;
# alpha 0 gives rrdb's values exactly. Mismatches: one line naming the difference, no file.
R=Ablations/rrdb/iter_9000.safetensors P=Ablations/rrdb_p64/iter_9000.safetensors
"$BIN" interpolate "$R" "$P" --alpha 0.3 --output "$OUT/blend.safetensors" 2>"$OUT/blend.err" || fail "interpolate: $(cat "$OUT/blend.err")"
"$BIN" interpolate "$R" "$P" --alpha 0 --output "$OUT/blend0.safetensors" 2>/dev/null || fail "interpolate --alpha 0"
python3 - "$R" "$P" "$OUT/blend.safetensors" "$OUT/blend0.safetensors" <<'PY' || fail "interpolated tensors differ from NumPy's blend"
import json, struct, sys, numpy as np
def read(path):
    raw = open(path, "rb").read(); n = struct.unpack("<Q", raw[:8])[0]; h = json.loads(raw[8:8 + n])
    meta = h.pop("__metadata__", {}); t = {}
    for k, v in h.items():
        b, e = v["data_offsets"]
        t[k] = np.frombuffer(raw[8 + n + b:8 + n + e], dtype={"F16": np.float16, "F32": np.float32}[v["dtype"]]).reshape(v["shape"])
    return t, meta, {k: v["dtype"] for k, v in h.items()}
a, ma, _ = read(sys.argv[1]); b, _, _ = read(sys.argv[2]); c, mc, dc = read(sys.argv[3]); z, _, _ = read(sys.argv[4])
assert set(c) == set(a) and set(dc.values()) == {"F32"}, "keys or dtype"
for k in a:
    want = (0.7 * a[k].astype(np.float64) + 0.3 * b[k].astype(np.float64)).astype(np.float32)
    assert np.array_equal(c[k].view(np.uint32), want.view(np.uint32)), k
    assert np.array_equal(z[k], a[k].astype(np.float32)), "alpha 0: " + k
assert mc["interpolation.alpha"] == "0.3" and mc["interpolation.a"] == sys.argv[1] and mc["residual_scale"] == "0.2", mc
import hashlib
assert mc["interpolation.b_sha256"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
PY
"$BIN" inspect "$OUT/blend.safetensors" | grep -qx 'architecture: RRDBNet' || fail "the blend does not load as RRDBNet"
"$BIN" eval --hr "$OUT/hr" --model "blend=$OUT/blend.safetensors" --no-bicubic --format csv 2>/dev/null | grep -q '^blend,mean,' \
  || fail "the blend does not evaluate"
expect_error "Error: interpolate: different architectures: residual_scale is 0.2 in $R, 1.0 in Ablations/rrdb_noscale/iter_9000.safetensors" \
  interpolate "$R" Ablations/rrdb_noscale/iter_9000.safetensors --alpha 0.5 --output "$OUT/bad.safetensors"
expect_error "Error: interpolate: different architectures: $R is RRDBNet, Ablations/srresnet/iter_9000.safetensors is SRResNet" \
  interpolate "$R" Ablations/srresnet/iter_9000.safetensors --alpha 0.5 --output "$OUT/bad.safetensors"
expect_error "Error: interpolate: shape mismatch for 'conv_first.weight': [32, 3, 3, 3] in $R, [4, 3, 3, 3] in Tests/SRFormatsTests/Fixtures/ncnn_rrdb_fp32.param" \
  interpolate "$R" Tests/SRFormatsTests/Fixtures/ncnn_rrdb_fp32.param --alpha 0.5 --output "$OUT/bad.safetensors"
expect_error "Error: interpolate: alpha 1.5 is outside [0, 1] (0 gives the first network, 1 the second)" \
  interpolate "$R" "$P" --alpha 1.5 --output "$OUT/bad.safetensors"
expect_error "Error: interpolate: alpha -0.1 is outside [0, 1] (0 gives the first network, 1 the second)" \
  interpolate "$R" "$P" --alpha=-0.1 --output "$OUT/bad.safetensors"
expect_error "Error: interpolate: $OUT/none.pth: bad input: No such file or directory" \
  interpolate "$OUT/none.pth" "$P" --alpha 0.5 --output "$OUT/bad.safetensors"
[[ ! -e $OUT/bad.safetensors ]] && ! ls "$OUT"/.bad.safetensors.* >/dev/null 2>&1 || fail "a failed interpolate left a file"
echo "e2e-eval: all checks passed"
