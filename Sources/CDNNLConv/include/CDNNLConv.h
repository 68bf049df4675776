#ifndef SRSCOPE_CDNNLCONV_H
#define SRSCOPE_CDNNLCONV_H

#include <stddef.h>

/// A 2-D convolution of an NCHW float batch through oneDNN, its primitives (forward,
/// backward-data, backward-weights) created once per shape and reused. The caller's buffers are
/// plain float32: NCHW activations, OIHW weights, `[out]` bias; oneDNN's own layouts (blocked,
/// bf16) live inside and are converted by reorders at the boundary. Every function returns 0 on
/// success, else writes a one-line message into `error` (`error_size` bytes) and returns non-zero.
/// A conv object runs one call at a time (the Swift side serialises).

/// Shape and numeric mode of one convolution.
typedef struct {
  long batch, in_channels, out_channels, height, width;
  long kernel, stride, padding;  ///< square kernel, same stride and zero padding on both axes
  int bf16;                      ///< 1: bf16 weights and activations, f32 accumulation, f32 outputs
  int activation;                ///< fused into forward: 0 none, 1 ReLU, 2 LeakyReLU (`slope`)
  float slope;
  int threads;                   ///< OpenMP threads oneDNN's primitives are built and run with
} srs_dnnl_conv_config;

/// The three passes.
enum { SRS_DNNL_FORWARD = 0, SRS_DNNL_BACKWARD_DATA = 1, SRS_DNNL_BACKWARD_WEIGHTS = 2 };

typedef struct srs_dnnl_conv srs_dnnl_conv;

/// Makes the object and the forward primitive descriptor (the other passes' hint); the
/// primitives themselves are made at a pass's first call.
int srs_dnnl_conv_create(const srs_dnnl_conv_config *config, srs_dnnl_conv **conv, char *error, size_t error_size);
void srs_dnnl_conv_destroy(srs_dnnl_conv *conv);

/// Creates the primitives and reorders of `pass` now (a call does it on first use otherwise).
int srs_dnnl_conv_prepare(srs_dnnl_conv *conv, int pass, char *error, size_t error_size);

/// `dst = activation(conv(src, weights) + bias)`; `bias` may be NULL (zero).
int srs_dnnl_conv_forward(srs_dnnl_conv *conv, const float *src, const float *weights, const float *bias,
                          float *dst, char *error, size_t error_size);

/// `diff_src = conv^T(diff_dst, weights)` (overwritten, not accumulated).
int srs_dnnl_conv_backward_data(srs_dnnl_conv *conv, const float *diff_dst, const float *weights,
                                float *diff_src, char *error, size_t error_size);

/// `diff_weights = sum over the batch of diff_dst (x) src`, `diff_bias = sum of diff_dst` (both
/// overwritten; `diff_bias` may be NULL).
int srs_dnnl_conv_backward_weights(srs_dnnl_conv *conv, const float *src, const float *diff_dst,
                                   float *diff_weights, float *diff_bias, char *error, size_t error_size);

/// oneDNN's name of the implementation `pass` runs (e.g. `brgconv:avx512_core_amx`), "" before
/// it is prepared.
const char *srs_dnnl_conv_implementation(const srs_dnnl_conv *conv, int pass);

/// Sets the calling thread's OpenMP thread count (what oneDNN's OpenMP runtime reads); a no-op
/// without OpenMP in the process. Returns 0, or -1 when `omp_set_num_threads` is not found.
int srs_dnnl_set_omp_threads(int threads);

/// Whether the CPU has AMX-BF16 (CPUID leaf 7, EDX bit 22) and the OS enabled the tile state
/// (XCR0 bits 17 and 18).
int srs_cpu_has_amx_bf16(void);

#endif
