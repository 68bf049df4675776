#include "lanes16.h"

// `rows` output channels x 16 tiles, accumulated over `in` input channels in registers. `rows`
// is a constant at every call site, so `acc` lives in registers once the loops are unrolled.
INLINE void micro(const float *restrict u, long ldu, const float *restrict v, float *restrict m,
                  long in, const int rows) {
  lanes16 acc[16];
#pragma clang loop unroll(full)
  for (int r = 0; r < rows; r++) acc[r] = (lanes16){0};
  for (long k = 0; k < in; k++) {
    const lanes16 x = load16(v + 16 * k);
    const float *uk = u + k * ldu;
#pragma clang loop unroll(full)
    for (int r = 0; r < rows; r++) acc[r] += uk[r] * x;
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < rows; r++) store16(m + 16 * r, acc[r]);
}

// `rows` (1...16) as a compile-time constant: one instantiation of `micro` per count.
#define MICRO_CASE(n) case n: micro(u, ldu, v, m, in, n); break;
INLINE void micro_rows(const float *u, long ldu, const float *v, float *m, long in, int rows) {
  switch (rows) {
    MICRO_CASE(1) MICRO_CASE(2) MICRO_CASE(3) MICRO_CASE(4) MICRO_CASE(5) MICRO_CASE(6)
    MICRO_CASE(7) MICRO_CASE(8) MICRO_CASE(9) MICRO_CASE(10) MICRO_CASE(11) MICRO_CASE(12)
    MICRO_CASE(13) MICRO_CASE(14) MICRO_CASE(15) MICRO_CASE(16)
  }
}

// All tile blocks: per block the 16-tile slice of v (at most `in` x 64 bytes) stays in L1 while
// every row block of u streams past it; at most `max_rows` rows are held in registers at once.
INLINE void products(const float *u, const float *v, float *m, long out, long in, long blocks,
                     long v_block_stride, const int max_rows) {
  for (long t = 0; t < blocks; t++) {
    const float *vt = v + t * v_block_stride;
    float *mt = m + t * 16 * out;
    for (long o0 = 0; o0 < out; o0 += 16) {
      const long rb = out - o0 < 16 ? out - o0 : 16;
      const float *ub = u + o0 * in;
      for (long r0 = 0; r0 < rb; r0 += max_rows) {
        const long rows = rb - r0 < max_rows ? rb - r0 : max_rows;
        micro_rows(ub + r0, rb, vt, mt + (o0 + r0) * 16, in, (int)rows);
      }
    }
  }
}

// Registers hold 2 rows of accumulators with SSE2 (4 xmm per vector), 6 with AVX2 (two ymm
// per vector, 16 registers), 16 with AVX-512 (32 zmm).
static void products_generic(const float *u, const float *v, float *m, long out, long in, long blocks, long vbs) {
  products(u, v, m, out, in, blocks, vbs, 2);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void products_avx2(const float *u, const float *v, float *m, long out, long in, long blocks, long vbs) {
  products(u, v, m, out, in, blocks, vbs, 6);
}

__attribute__((target("avx512f,fma")))
static void products_avx512(const float *u, const float *v, float *m, long out, long in, long blocks, long vbs) {
  products(u, v, m, out, in, blocks, vbs, 16);
}
#endif

void srs_winograd_products(int isa, const float *u, const float *v, long v_point_stride, long v_block_stride,
                           float *m, long m_point_stride, long out, long in, long blocks) {
  for (int pt = 0; pt < 36; pt++) {
    SRS_DISPATCH(isa, products, u + pt * out * in, v + pt * v_point_stride, m + pt * m_point_stride, out, in, blocks,
                 v_block_stride);
  }
}
