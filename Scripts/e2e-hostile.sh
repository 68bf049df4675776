#!/usr/bin/env bash
# Broken and hostile inputs through the CLI, one per class of issue 13: each must end with its exact
# one-line error (the first line for usage errors), a non-zero exit, no crash, no hang (each run
# has 20 s), and no file left behind.
# Usage: Scripts/e2e-hostile.sh [path/to/srscope]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-.build/release/srscope}")
OUT=${OUT:-/tmp/e2e-hostile}
rm -rf "$OUT"; mkdir -p "$OUT/hr"
source Scripts/e2e-lib.sh
M=Tests/SRModelsTests/Fixtures/msrresnet_x4.safetensors
convert -size 64x64 xc:gray "$OUT/hr/a.png"
mkfifo "$OUT/fifo.png" "$OUT/fifo.safetensors"

# Sizes from flags, manifests and recipes: errors naming the field, never a trap.
expect_error "Error: --crop-border must be 0 to 65536" metrics "$OUT/hr/a.png" "$OUT/hr/a.png" --crop-border 9223372036854775807
expect_error "Error: --crop-border must be 0 to 65536" eval --hr "$OUT/hr" --crop-border 9223372036854775807
expect_error "Error: --scale must be 1 to 16" eval --hr "$OUT/hr" --scale 0
printf 'scale: 0\nimages: {hr: hr}\nmodels: []\n' > "$OUT/scale0.yml"
expect_error "Error: $OUT/scale0.yml: scale must be 1 to 16, not 0" eval --manifest "$OUT/scale0.yml"
printf 'scale: 4\nimages: {hr: hr}\nmodels:\n  - {path: ""}\n' > "$OUT/empty.yml"
expect_error "Error: $OUT/empty.yml: models.0.path is empty" eval --manifest "$OUT/empty.yml"
recipe() {  # recipe FILE EXTRA-ARCH EXTRA-DATA
  printf 'name: r\narchitecture: {type: rrdbnet, num_feat: %s, num_block: %s, num_grow_ch: %s, scale: 4}\ndata: {hr_folders: [hr], hr_patch: 32, batch: %s, validation: [%s]}\noptimizer: {lr: 1.0e-4}\niterations: 2\nseed: 1\n' "$2" "$3" "$4" "$5" "$6" > "$1"
}
recipe "$OUT/feat.yml" 4611686018427387904 1 8 2 hr/a.png
expect_error "Error: recipe: architecture.num_feat must be 1 to 512, not 4611686018427387904" train "$OUT/feat.yml" --output "$OUT/run-feat"
recipe "$OUT/grow.yml" 8 1 1000 2 hr/a.png
expect_error "Error: recipe: architecture.num_grow_ch must be 1 to 512, not 1000" train "$OUT/grow.yml" --output "$OUT/run-grow"
recipe "$OUT/block.yml" 8 3000000000 8 2 hr/a.png
expect_error "Error: recipe: architecture.num_block must be 0 to 64, not 3000000000" train "$OUT/block.yml" --output "$OUT/run-block"
recipe "$OUT/batch.yml" 8 1 8 100000 hr/a.png
expect_error "Error: recipe: data.batch must be 1 to 1024, not 100000" train "$OUT/batch.yml" --output "$OUT/run-batch"
printf 'name: r\nprecison: bf16\n' > "$OUT/unknown.yml"
expect_error "Error: recipe: $OUT/unknown.yml: 2:1: unknown key 'precison' (valid: architecture, data, discriminator, fp16, gan, init, iterations, l1_weight, loss, name, optimizer, perceptual, precision, pretrained, schedule, seed, snapshot_interval, validation_interval)" \
  train "$OUT/unknown.yml"

# Files that are not regular files: refused at once (no try! crash, no hang on a FIFO, no 2 GB read).
expect_error "Error: /tmp: bad input: is a directory, not a regular file" inspect /tmp
expect_error "Error: /proc/self/mem: bad input: is a kernel (/proc or /sys) file, not a regular file" inspect /proc/self/mem
expect_error "Error: $OUT/fifo.safetensors: bad input: is a FIFO, not a regular file" upscale --model "$OUT/fifo.safetensors" --input "$OUT/hr/a.png" --output "$OUT/x.png"
expect_error "Error: cannot open $OUT/fifo.png: is a FIFO, not a regular file" upscale --model "$M" --input "$OUT/fifo.png" --output "$OUT/x.png"
recipe "$OUT/fifo.yml" 8 1 8 2 fifo.png
expect_error "Error: training data: cannot open $OUT/fifo.png: is a FIFO, not a regular file" \
  train "$OUT/fifo.yml" --output "$OUT/run-fifo"
recipe "$OUT/zero.yml" 8 1 8 2 /dev/zero
expect_error "Error: training data: cannot open /dev/zero: is a device, not a regular file" \
  train "$OUT/zero.yml" --output "$OUT/run-zero"
# A failed run leaves no folder it created.
for run in run-feat run-grow run-block run-batch run-fifo run-zero; do [[ ! -e "$OUT/$run" ]] || fail "train left $OUT/$run behind"; done

# Memory: a small PNG declaring a huge image is refused before allocating.
convert -size 4000x8000 xc:gray "$OUT/big.png"
expect_error "Error: upscale: a 4000x8000 input gives a 16000x32000 output; images and weights need 14.8 GB, more than the budget of 4.0 GB (--max-memory); tiling cannot reduce them" \
  upscale --model "$M" --input "$OUT/big.png" --output "$OUT/big-x4.png"
[[ ! -e "$OUT/big-x4.png" ]] || fail "upscale wrote an output over its budget"

# A 250 KB PNG declaring 30000x8000 under a 4 GB address-space limit (as the mutation campaign ran):
# refused from its header, before decoding, by metrics (its metric budget) and upscale (the decoder's limit).
python3 - "$OUT/huge.png" <<'PY'
import struct, sys, zlib
w, h = 30000, 8000
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
c = zlib.compressobj(9); row = b"\0" + b"\x80" * w
idat = b"".join(c.compress(row) for _ in range(h)) + c.flush()
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                              + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
PY
(
  ulimit -v 4000000
  limit=$(( ($(ulimit -v) * 1024 / 4 * 3) / 40 )); (( limit > 268435456 )) && limit=268435456
  expect_error "Error: a 30000x8000 image needs about 128.7 GB for its metrics, more than the budget of 2.9 GB" metrics "$OUT/huge.png" "$OUT/huge.png"
  expect_error "Error: $OUT/huge.png: image too large: 30000x8000 pixels (limit $limit)" upscale --model "$M" --input "$OUT/huge.png" --output "$OUT/huge-x4.png"
)
checks=$((checks + 2))

# Messages from files: one printable line, naming the file.
printf 'bad first line\n' > "$OUT/bad.param"
expect_error "Error: $OUT/bad.param: sniffing: unrecognized format; expected safetensors, a zip or legacy .pth, or an ncnn .param (first line 7767517)" inspect "$OUT/bad.param"
printf '7767517\n\xff\xfe\n' > "$OUT/latin.param"; : > "$OUT/latin.bin"
expect_error "Error: $OUT/latin.param: not UTF-8 text" inspect "$OUT/latin.param"
printf 'scale: 4\nimages: {hr: x\nmodels: []\n' > "$OUT/yaml.yml"
expect_error "Error: $OUT/yaml.yml: 3:7: invalid YAML: did not find expected ',' or '}'" eval --manifest "$OUT/yaml.yml"
python3 - "$OUT/meta.safetensors" <<'PY'
import json, struct, sys
h = json.dumps({"__metadata__": 5, "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + b"\0\0\0\0")
PY
expect_error "Error: $OUT/meta.safetensors: safetensors: __metadata__ is not an object of string values" inspect "$OUT/meta.safetensors"
python3 - "$OUT/evil.pth" <<'PY'
import sys, zipfile
# a pickle naming a global with control bytes: the error must show them escaped
body = b"\x80\x02cos\x00\x0b\nsys\x07tem\nq\x00."
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    z.writestr("evil/data.pkl", body); z.writestr("evil/version", b"3\n")
PY
expect_error "Error: $OUT/evil.pth: reading pickle: forbidden global 'os\\0\\x0b.sys\\x07tem'" inspect "$OUT/evil.pth"
echo "e2e-hostile: $checks checks passed"
