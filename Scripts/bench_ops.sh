#!/bin/sh
# Builds SRTensor in release and runs the conv benchmark (Scripts/bench_ops.swift).
# Usage: Scripts/bench_ops.sh [threads=2] [reps=5]   (scratch path: .build-bench)
set -e
cd "$(dirname "$0")/.."
. Scripts/bench-lib.sh
build_srtensor_bench Scripts/bench_ops.swift bench_ops
"$SCRATCH/bench_ops" "$@"
