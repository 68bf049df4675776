#include "CKernels.h"

#include <limits.h> /* first: it defines __GLIBC__ (through <features.h>) on glibc systems */
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void srs_reuse_freed_memory(void) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

void srs_return_free_memory(void) {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

long srs_mapped_blocks(void) {
#if defined(__GLIBC__)
  return (long)mallinfo2().hblks;
#else
  return -1;
#endif
}
