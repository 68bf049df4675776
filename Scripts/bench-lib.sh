# Shared by the bench_*.sh scripts: build_srtensor_bench SOURCE NAME builds SRTensor in release
# and links SOURCE against its objects (with CKernels, CDNNLConv, OpenBLAS and oneDNN) into
# $SCRATCH/NAME.
SCRATCH=${SCRATCH:-.build-bench}
build_srtensor_bench() {
  swift build -c release --scratch-path "$SCRATCH" --target SRTensor >/dev/null
  BLAS_INC=$(pkg-config --variable=includedir openblas 2>/dev/null || echo /usr/include)
  BLAS_LIB=$(pkg-config --variable=libdir openblas 2>/dev/null || echo /usr/lib)
  swiftc -O -I "$SCRATCH/release/Modules" -Xcc -fmodule-map-file=Sources/CBLAS/module.modulemap \
    -Xcc -fmodule-map-file=Sources/CDNNL/module.modulemap \
    -Xcc -fmodule-map-file="$SCRATCH/release/CKernels.build/module.modulemap" -Xcc -ISources/CKernels/include \
    -Xcc -fmodule-map-file="$SCRATCH/release/CDNNLConv.build/module.modulemap" -Xcc -ISources/CDNNLConv/include \
    -Xcc -I"$BLAS_INC" -I Sources/CBLAS -L"$BLAS_LIB" -lopenblas -ldnnl \
    "$SCRATCH"/release/SRTensor.build/*.o "$SCRATCH"/release/CKernels.build/*.o \
    "$SCRATCH"/release/CDNNLConv.build/*.o "$1" -o "$SCRATCH/$2"
}
