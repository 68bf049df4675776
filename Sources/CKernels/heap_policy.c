#include "CKernels.h"

#if defined(__GLIBC__)
#include <limits.h>
#include <malloc.h>
#endif

void srs_reuse_freed_memory(void) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}
