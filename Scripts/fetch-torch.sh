#!/usr/bin/env bash
# Installs PyTorch (CPU build), the training benchmark peer of Scripts/bench_train.py, into the asset
# venv that Scripts/fetch-assets.sh made for ncnn:
#   ${SRSCOPE_ASSETS:-$HOME/.cache/srscope}/venv
# A benchmark peer only, never a test dependency. Every wheel, dependencies included, is pinned by
# version and sha256 (pip --require-hashes), for CPython 3.11 on manylinux x86_64. Idempotent:
# nothing is fetched when the pinned torch imports.
#
# Which torch wheel: the CPU build `torch==2.13.0+cpu` (192 MB). PyPI has only the CUDA build of
# torch for Linux x86_64 (527 MB, plus cuda-toolkit, nvidia-cudnn/nccl/nvshmem/cusparselt and triton,
# several GB), and that one does not import without the nvidia packages (checked with 2.13.0:
# `ValueError: libcublasLt.so.*[0-9] not found in the system path`), so it is not used. The CPU
# wheel is published on PyTorch's own CPU index; it is taken, in this order, from
#   1. <assets>/wheels/ (kept there once fetched),
#   2. pip's configured sources (e.g. a find-links folder of prebuilt wheels, as some machine images have),
#   3. the PyTorch CPU index.
# Whatever the source, the sha256 below is the one the PyTorch CPU index publishes for this file.
set -euo pipefail
ASSETS="${SRSCOPE_ASSETS:-$HOME/.cache/srscope}"
PY="$ASSETS/venv/bin/python"
WHEELS="$ASSETS/wheels"
TORCH_VERSION=2.13.0+cpu
TORCH_WHEEL="torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"
TORCH_SHA256=6746dbcbeb526eb61330b76b41ff1b4eb848951103a892eeb080dfa2b264667b
CPU_INDEX=https://download.pytorch.org/whl/cpu

if [[ ! -x "$PY" ]]; then
  echo "fetch-torch: no venv at $ASSETS/venv: run Scripts/fetch-assets.sh first" >&2
  exit 1
fi
if "$PY" - "$TORCH_VERSION" 2>/dev/null <<'PY'
import sys, torch
sys.exit(0 if torch.__version__ == sys.argv[1] else 1)
PY
then
  echo "fetch-torch: torch $TORCH_VERSION already in $ASSETS/venv" >&2
  exit 0
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$WHEELS"
echo "torch==$TORCH_VERSION --hash=sha256:$TORCH_SHA256" >"$TMP/torch.txt"
if [[ ! -f "$WHEELS/$TORCH_WHEEL" ]]; then
  get() {  # pip download of the pinned wheel (hash-checked) into $WHEELS, with extra pip options
    "$PY" -m pip download --quiet --no-deps --require-hashes --only-binary=:all: --python-version 3.11 \
      --platform manylinux_2_28_x86_64 --implementation cp -d "$WHEELS" -r "$TMP/torch.txt" "$@"
  }
  echo "fetch-torch: fetching $TORCH_WHEEL into $WHEELS" >&2
  if ! get 2>"$TMP/err1" && ! get --index-url "$CPU_INDEX" 2>"$TMP/err2"; then
    cat "$TMP/err1" "$TMP/err2" >&2
    echo "fetch-torch: $TORCH_WHEEL (sha256 $TORCH_SHA256) is neither in pip's configured sources nor" \
      "reachable on $CPU_INDEX; put it into $WHEELS by hand (the CUDA build on PyPI does not import" \
      "without the nvidia packages)" >&2
    exit 1
  fi
fi

# torch, then its dependencies (typing_extensions is the version Scripts/fetch-peers.sh pins).
cat >"$TMP/reqs.txt" <<EOF
torch==$TORCH_VERSION --hash=sha256:$TORCH_SHA256
filelock==4.3.2 --hash=sha256:02a8801bc6b2a80921bf3d7895c63084d53bae2a3c86783adce5ae2b89a1825b
typing_extensions==4.16.0 --hash=sha256:481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8
setuptools==84.2.1 --hash=sha256:ca140b45d5325a9478f880e351484f62fef15f336462e449ca0c03c873d589c2
sympy==1.14.0 --hash=sha256:e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5
mpmath==1.3.0 --hash=sha256:a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c
networkx==3.6.1 --hash=sha256:d47fbf302e7d9cbbb9e2555a0d267983d2aa476bac30e90dfbe5669bd57f3762
jinja2==3.1.6 --hash=sha256:85ece4451f492d0c13c5dd7c13a64681a86afae63a5f347908daf103ce6d2f67
MarkupSafe==3.0.4 --hash=sha256:6da83a088f8ef93b2d483a8232a4dbf4d69d3d8496b568a03c56becac43e1808
fsspec==2026.9.0 --hash=sha256:8dd6e646e99ea382bd85f97a45e6b526a442d79423a7dc673f1e2756d05fcb5f
EOF
echo "fetch-torch: installing torch==$TORCH_VERSION into $ASSETS/venv" >&2
# --ignore-installed: the venv sees the system site-packages, whose versions need not be these.
# --find-links: the torch wheel from $WHEELS; the dependencies come from the package index.
"$PY" -m pip install --quiet --require-hashes --only-binary=:all: --ignore-installed --find-links "$WHEELS" -r "$TMP/reqs.txt"
"$PY" -c "import torch; print('fetch-torch: torch %s (CUDA built: %s)' % (torch.__version__, torch.backends.cuda.is_built()))" >&2
