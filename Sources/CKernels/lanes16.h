#ifndef SRSCOPE_LANES16_H
#define SRSCOPE_LANES16_H

// Shared by the kernel sources (not part of the module's public header).

#include "CKernels.h"

// Vector-returning helpers are always inlined, so no vector crosses a call boundary.
#pragma clang diagnostic ignored "-Wpsabi"

// One vector: one value of 16 tiles (one per lane). aligned(4): loads need no alignment.
typedef float lanes16 __attribute__((vector_size(64), aligned(4)));

#define INLINE static inline __attribute__((always_inline))

INLINE lanes16 load16(const float *p) { return *(const lanes16 *)p; }
INLINE void store16(float *p, lanes16 x) { *(lanes16 *)p = x; }
INLINE lanes16 splat(float x) { return (lanes16){0} + x; }

// Three copies of one kernel, `NAME_generic`, `NAME_avx2` and `NAME_avx512`, each compiling the
// always-inlined `CALL` for its instruction set.
#if defined(__x86_64__)
#define SRS_KERNEL_VARIANTS(NAME, PARAMS, CALL)                                  \
  static void NAME##_generic PARAMS { CALL; }                                   \
  __attribute__((target("avx2,fma"))) static void NAME##_avx2 PARAMS { CALL; }  \
  __attribute__((target("avx512f,fma"))) static void NAME##_avx512 PARAMS { CALL; }
#define SRS_DISPATCH(ISA, NAME, ...)                                  \
  do {                                                                \
    const int isa_ = srs_supported_isa(ISA);                          \
    if (isa_ == SRS_ISA_AVX512) NAME##_avx512(__VA_ARGS__);           \
    else if (isa_ == SRS_ISA_AVX2) NAME##_avx2(__VA_ARGS__);          \
    else NAME##_generic(__VA_ARGS__);                                 \
  } while (0)
#else
#define SRS_KERNEL_VARIANTS(NAME, PARAMS, CALL) static void NAME##_generic PARAMS { CALL; }
#define SRS_DISPATCH(ISA, NAME, ...) \
  do {                               \
    (void)(ISA);                     \
    NAME##_generic(__VA_ARGS__);     \
  } while (0)
#endif

#endif
