#ifndef SRSCOPE_CKERNELS_H
#define SRSCOPE_CKERNELS_H

/// The Winograd F(4x4, 3x3) stages of SRScope's 3x3 convolution (input transform, products,
/// output transform), in C so that the hot loops can be compiled for the instruction sets the
/// CPU has (AVX-512, AVX2+FMA, or plain vectors) and chosen at run time; and the heap policy.
/// Every function runs on the calling thread. See Sources/SRTensor/README.md.
///
/// Layouts of the products, per transform point `pt` (tiles in blocks of 16, one per lane):
///   u  packed weights, `u + pt * out * in`: `[out, in]` in row blocks of 16 output channels;
///      block b starts at `16 * b * in` and is `[in][rb]` with `rb = min(16, out - 16 * b)` rows.
///   v  transformed input at `v + pt * v_point_stride`: tile block `t` at `+ t * v_block_stride`,
///      channel `k` at `+ 16 * k`.
///   m  products at `m + pt * m_point_stride`: tile block `t` at `+ t * 16 * out`, output channel
///      `o` at `+ 16 * o`.
/// `srs_winograd_products` computes `m[t][o][lane] = sum_k u[o][k] * v[t][k][lane]` for the 36
/// points and `t < blocks`, on the calling thread.

/// Instruction sets of the product kernel.
enum {
  SRS_ISA_GENERIC = 1,  ///< compiler vectors for the build target (SSE2 on x86-64)
  SRS_ISA_AVX2 = 2,     ///< AVX2 + FMA, 6 rows of 16 lanes in registers
  SRS_ISA_AVX512 = 3,   ///< AVX-512F, 16 rows of 16 lanes in registers
};

/// The best instruction set this CPU and OS support (AVX-512 state enabled by the OS).
int srs_best_isa(void);

/// `isa` lowered to what `srs_best_isa()` allows (and raised to generic).
int srs_supported_isa(int isa);

/// The products of all 36 points (see the layouts above) with the kernel for `isa`.
void srs_winograd_products(int isa, const float *u, const float *v, long v_point_stride, long v_block_stride,
                           float *m, long m_point_stride, long out, long in, long blocks);

/// Floats of scratch that `srs_winograd_input` needs for `blocks` tile blocks per row.
long srs_winograd_input_scratch(long blocks);

/// Input transform of `channels` CHW planes of `x` (`height` x `width`, zero padding 1): tile rows `ty0 ..< ty0 + rows`, tile blocks `bx0 ..< bx1` of each (a tile row has
/// `ceil(ceil(width / 4) / 16)` blocks of 16 tiles): channel `c`, block `b` (numbered
/// `(ty - ty0) * (bx1 - bx0) + bx - bx0`), point `pt` go to the 16 floats at
/// `v + pt * point_stride + b * block_stride + 16 * c`. Lanes past the last tile get finite values
/// that no output reads.
void srs_winograd_input(int isa, const float *x, long channels, long height, long width, long ty0, long rows,
                        long bx0, long bx1, float *v, long block_stride, long point_stride, float *scratch);

/// Output transform of the same region for `out_channels` channels: products of channel `o`,
/// block `b`, point `pt` at `m + pt * point_stride + b * 16 * out_channels + 16 * o`. Writes
/// `activation(y + bias[o])` (0 none, 1 ReLU, 2 LeakyReLU with `slope`; `bias` may be NULL) into
/// plane `o` of the CHW map `out`, or `residual_scale * that + residual` when `residual` (a map
/// like `out`) is not NULL. With `shuffle` f > 1 the result is written pixel-shuffled instead:
/// channel `(c f + i) f + j`, pixel (y, x) to (c, f y + i, f x + j) of an
/// `(out_channels / f^2) x (f height) x (f width)` map (no residual then).
void srs_winograd_output(int isa, const float *m, long out_channels, long point_stride, long height, long width,
                         long ty0, long rows, long bx0, long bx1, const float *bias, int activation, float slope,
                         const float *residual, float residual_scale, long shuffle, float *out);

/// Serves every allocation from glibc's heap (no per-buffer mmap) and never trims it, so freed
/// layer buffers are reused instead of faulting in fresh zeroed pages. No-op without glibc.
void srs_reuse_freed_memory(void);

/// Returns the heap's free pages to the system (glibc `malloc_trim(0)`; elsewhere a no-op).
void srs_return_free_memory(void);

/// Blocks that glibc serves with their own mapping (`mallinfo2().hblks`; -1 without glibc): lets
/// a test see whether `srs_reuse_freed_memory` took effect.
long srs_mapped_blocks(void);

#endif
