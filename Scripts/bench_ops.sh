#!/bin/sh
# Builds SRTensor in release and runs the conv benchmark (Scripts/bench_ops.swift).
# Usage: Scripts/bench_ops.sh [threads=2] [reps=5]   (scratch path: .build-bench)
set -e
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-bench}
swift build -c release --scratch-path "$SCRATCH" --target SRTensor >/dev/null
BLAS_INC=$(pkg-config --variable=includedir openblas 2>/dev/null || echo /usr/include)
BLAS_LIB=$(pkg-config --variable=libdir openblas 2>/dev/null || echo /usr/lib)
swiftc -O -I "$SCRATCH/release/Modules" -Xcc -fmodule-map-file=Sources/CBLAS/module.modulemap \
  -Xcc -fmodule-map-file="$SCRATCH/release/CKernels.build/module.modulemap" -Xcc -ISources/CKernels/include \
  -Xcc -I"$BLAS_INC" -I Sources/CBLAS -L"$BLAS_LIB" -lopenblas \
  "$SCRATCH"/release/SRTensor.build/*.o "$SCRATCH"/release/CKernels.build/*.o Scripts/bench_ops.swift \
  -o "$SCRATCH/bench_ops"
"$SCRATCH/bench_ops" "$@"
