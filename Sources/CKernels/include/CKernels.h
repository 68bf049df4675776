#ifndef SRSCOPE_CKERNELS_H
#define SRSCOPE_CKERNELS_H

/// The Winograd products of SRScope's 3x3 convolution, in C so that the hot loop can be
/// compiled for the instruction sets the CPU has (AVX-512, AVX2+FMA, or plain vectors) and
/// chosen at run time. See Sources/SRTensor/README.md.
///
/// Layouts, for one transform point (all tiles in blocks of 16, one tile per lane):
///   u  packed weights `[out, in]` in row blocks of 16 output channels: block b starts at
///      `u + 16 * b * in` and is `[in][rb]` with `rb = min(16, out - 16 * b)` rows.
///   v  transformed input: tile block `t` at `v + t * v_block_stride`, channel `k` at `+ 16 * k`.
///   m  products: tile block `t` at `m + t * 16 * out`, output channel `o` at `+ 16 * o`.
/// Computes `m[t][o][lane] = sum_k u[o][k] * v[t][k][lane]` for `t < blocks`.

/// Instruction sets of the product kernel.
enum {
  SRS_ISA_GENERIC = 1,  ///< compiler vectors for the build target (SSE2 on x86-64)
  SRS_ISA_AVX2 = 2,     ///< AVX2 + FMA, 6 rows of 16 lanes in registers
  SRS_ISA_AVX512 = 3,   ///< AVX-512F, 16 rows of 16 lanes in registers
};

/// The best instruction set this CPU and OS support (AVX-512 state enabled by the OS).
int srs_best_isa(void);

/// The products of one transform point with the kernel for `isa` (which must be supported;
/// a value above `srs_best_isa()` is lowered to it).
void srs_winograd_products(int isa, const float *u, const float *v, float *m,
                           long out, long in, long blocks, long v_block_stride);

#endif
