#include "CKernels.h"

// Which instruction set the kernels run with (see CKernels.h).

int srs_best_isa(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return SRS_ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SRS_ISA_AVX2;
#endif
  return SRS_ISA_GENERIC;
}

int srs_supported_isa(int isa) {
  static int best = 0;  // every thread computes the same value; relaxed atomics suffice
  int known = __atomic_load_n(&best, __ATOMIC_RELAXED);
  if (known == 0) {
    known = srs_best_isa();
    __atomic_store_n(&best, known, __ATOMIC_RELAXED);
  }
  return isa > known ? known : isa < SRS_ISA_GENERIC ? SRS_ISA_GENERIC : isa;
}
