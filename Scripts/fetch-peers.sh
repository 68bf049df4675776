#!/usr/bin/env bash
# Installs the second benchmark peer, onnxruntime (plus onnx, which Scripts/bench_peers.py uses to
# write the ONNX model), into the asset venv that Scripts/fetch-assets.sh made for ncnn:
#   ${SRSCOPE_ASSETS:-$HOME/.cache/srscope}/venv
# Every wheel, dependencies included, is pinned by version and sha256 (pip --require-hashes), for
# CPython 3.11 on manylinux x86_64. Idempotent: nothing is fetched when the pinned versions import.
set -euo pipefail
ASSETS="${SRSCOPE_ASSETS:-$HOME/.cache/srscope}"
PY="$ASSETS/venv/bin/python"
ORT_VERSION=1.32.0
ONNX_VERSION=1.23.2

if [[ ! -x "$PY" ]]; then
  echo "fetch-peers: no venv at $ASSETS/venv: run Scripts/fetch-assets.sh first" >&2
  exit 1
fi
if "$PY" - "$ORT_VERSION" "$ONNX_VERSION" 2>/dev/null <<'PY'
import sys, onnxruntime, onnx
sys.exit(0 if (onnxruntime.__version__, onnx.__version__) == tuple(sys.argv[1:3]) else 1)
PY
then
  echo "fetch-peers: onnxruntime $ORT_VERSION and onnx $ONNX_VERSION already in $ASSETS/venv" >&2
  exit 0
fi

REQS="$(mktemp)"
trap 'rm -f "$REQS"' EXIT
# The two peers, then their dependencies (numpy is the version the ncnn oracle already uses).
cat >"$REQS" <<EOF
onnxruntime==$ORT_VERSION --hash=sha256:5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d
onnx==$ONNX_VERSION --hash=sha256:c03ecf6b835d136108eeaeeafbd0026fc7b3cf98661409fbc6b63d5a29361348
numpy==2.4.6 --hash=sha256:89cd468399cfd2504718f0ba50e410dca55a170b61a02ad92bb18c8a65186e93
protobuf==7.36.2 --hash=sha256:bdb3a345d48db958e6ce1f18e508beb0cc981d64f24088427549c866cd039f1e
flatbuffers==25.12.19 --hash=sha256:7634f50c427838bb021c2d66a3d1168e9d199b0607e6329399f04846d42e20b4
packaging==26.4 --hash=sha256:81383611a09c1bc0b08b76e0fd5829d7c6824c65b27a6aee339da133f4233ea2
ml_dtypes==0.6.0 --hash=sha256:6c8e39b53e90afda8ce52859c93de4dba3e02b76d85dcf091cc469f9184c6dae
typing_extensions==4.16.0 --hash=sha256:481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8
EOF
echo "fetch-peers: installing onnxruntime==$ORT_VERSION onnx==$ONNX_VERSION into $ASSETS/venv" >&2
# --ignore-installed: the venv sees the system site-packages, whose versions need not be these.
"$PY" -m pip install --quiet --require-hashes --only-binary=:all: --ignore-installed -r "$REQS"
"$PY" -c "import onnxruntime, onnx; print('fetch-peers: onnxruntime', onnxruntime.__version__, 'onnx', onnx.__version__)" >&2
