#!/bin/sh
# Builds SRTensor in release and runs the training-conv benchmark (Scripts/bench_conv.swift):
# the trainer's im2col + SGEMM, the Winograd kernel, one batch SGEMM and oneDNN fp32 / bf16.
# Usage: Scripts/bench_conv.sh [threads=2] [reps=3] [layer filter, e.g. '@24']   (scratch: .build-bench)
set -e
cd "$(dirname "$0")/.."
. Scripts/bench-lib.sh
build_srtensor_bench Scripts/bench_conv.swift bench_conv
"$SCRATCH/bench_conv" "$@"
