#include "lanes16.h"

#include <string.h>

// Input and output transforms of Winograd F(4x4, 3x3) (Lavin & Gray 2016), 16 tiles at a time
// (one per vector lane); checked against the naive convolution in SRTensorTests.

// Phase rows: padded column X (= x + 1, zero at X = 0 and past the row) goes to phase X & 3,
// slot X >> 2, so the six columns of 16 consecutive tiles are six contiguous vector loads. A
// call covers tile blocks bx0 ..< bx1, i.e. slots 16 bx0 ..< 16 bx1 + 16 (one block more for
// the `+1` loads), stored from local slot 0.
INLINE long phase_length(long blocks) { return 16 * blocks + 16; }

long srs_winograd_input_scratch(long blocks) { return 36 * phase_length(blocks); }

// The 64 columns x0 ..< x0 + 64 of a row `width` wide as four vectors; zero outside the row.
INLINE void load_window(const float *src, long width, long x0, float *edge, lanes16 a[4]) {
  const float *b = src + x0;
  if (x0 < 0 || x0 + 64 > width) {
    for (long i = 0; i < 64; i++) edge[i] = x0 + i >= 0 && x0 + i < width ? src[x0 + i] : 0;
    b = edge;
  }
  a[0] = load16(b); a[1] = load16(b + 16); a[2] = load16(b + 32); a[3] = load16(b + 48);
}

// Splits the columns of one row (or zeros for `src == NULL`) that blocks bx0 ..< bx0 + plen/16 - 1
// read into their four phase rows at `dst` (4 x plen). Padded column 64 bx0 + i is source column
// x = 64 bx0 + i - 1; windows of 64 columns inside the row are loaded straight from `src`, the
// others through `edge` (64 floats).
INLINE void split_row(const float *src, long width, long bx0, float *edge, long plen, float *dst) {
  if (!src) {
    memset(dst, 0, sizeof(float) * 4 * plen);
    return;
  }
  const long x_first = 64 * bx0 - 1, tail = plen - 16;
  for (long s = 0; s < tail; s += 16) {
    lanes16 a[4];
    load_window(src, width, x_first + 4 * s, edge, a);
    const lanes16 a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    // Phases 0|1 and 2|3 of slots s..s+7 (from a0, a1) and s+8..s+15 (from a2, a3).
    lanes16 p01a = __builtin_shufflevector(a0, a1, 0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    lanes16 p23a = __builtin_shufflevector(a0, a1, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    lanes16 p01b = __builtin_shufflevector(a2, a3, 0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    lanes16 p23b = __builtin_shufflevector(a2, a3, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    store16(dst + s, __builtin_shufflevector(p01a, p01b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    store16(dst + plen + s, __builtin_shufflevector(p01a, p01b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31));
    store16(dst + 2 * plen + s, __builtin_shufflevector(p23a, p23b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    store16(dst + 3 * plen + s, __builtin_shufflevector(p23a, p23b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31));
  }
  // Past the last block only slot `tail` of phases 0 and 1 is read (the `+1` loads): columns
  // x_first + 4 tail and x_first + 4 tail + 1.
  for (long q = 0; q < 2; q++) {
    const long x = x_first + 4 * tail + q;
    dst[q * plen + tail] = x >= 0 && x < width ? src[x] : 0;
  }
}

// B^T d for six values.
#define INPUT_STEP(d0, d1, d2, d3, d4, d5, o)            \
  do {                                                   \
    lanes16 a_ = (d4) - 4 * (d2), b_ = (d3) - 4 * (d1);  \
    lanes16 c_ = (d4) - (d2), e_ = 2 * ((d3) - (d1));    \
    (o)[0] = 4 * (d0) - 5 * (d2) + (d4);                 \
    (o)[1] = a_ + b_;                                    \
    (o)[2] = a_ - b_;                                    \
    (o)[3] = c_ + e_;                                    \
    (o)[4] = c_ - e_;                                    \
    (o)[5] = 4 * (d1) - 5 * (d3) + (d5);                 \
  } while (0)

// One channel plane: tile rows ty0 ..< ty0 + rows, tile blocks bx0 ..< bx1 of each.
INLINE void input_plane(const float *plane, long height, long width, long ty0, long rows, long bx0, long bx1,
                        float *v, long block_stride, long point_stride, float *scratch) {
  const long blocks = bx1 - bx0;
  const long plen = phase_length(blocks);
  float *edge = scratch;               // 64 floats (4 * plen reserved)
  float *phases = scratch + 4 * plen;  // 8 rows of 4 phase rows, row y in slot (y + 1) & 7
  long next = 4 * ty0 - 1;             // first input row not split yet
  for (long ty = ty0; ty < ty0 + rows; ty++) {
    const long first = 4 * ty - 1;
    for (; next < first + 6; next++) {
      const float *src = next >= 0 && next < height ? plane + next * width : 0;
      split_row(src, width, bx0, edge, plen, phases + ((next + 1) & 7) * 4 * plen);
    }
    float *dst = v + (ty - ty0) * blocks * block_stride;
    for (long b = 0; b < blocks; b++) {
      const long j0 = 16 * b;
      lanes16 t[36];
      for (int r = 0; r < 6; r++) {
        const float *p = phases + ((first + r + 1) & 7) * 4 * plen + j0;
        lanes16 d0 = load16(p), d1 = load16(p + plen), d2 = load16(p + 2 * plen), d3 = load16(p + 3 * plen);
        lanes16 d4 = load16(p + 1), d5 = load16(p + plen + 1);
        INPUT_STEP(d0, d1, d2, d3, d4, d5, t + 6 * r);
      }
      float *q = dst + b * block_stride;
      for (int c = 0; c < 6; c++) {
        lanes16 s[6];
        INPUT_STEP(t[c], t[6 + c], t[12 + c], t[18 + c], t[24 + c], t[30 + c], s);
        for (int k = 0; k < 6; k++) store16(q + (6 * k + c) * point_stride, s[k]);
      }
    }
  }
}

INLINE void input_transform(const float *x, long channels, long height, long width, long ty0, long rows,
                            long bx0, long bx1, float *v, long block_stride, long point_stride, float *scratch) {
  for (long c = 0; c < channels; c++)
    input_plane(x + c * height * width, height, width, ty0, rows, bx0, bx1, v + 16 * c, block_stride,
                point_stride, scratch);
}

// A^T m for six values: four results.
#define OUTPUT_STEP(m0, m1, m2, m3, m4, m5, o)                   \
  do {                                                           \
    lanes16 s12_ = (m1) + (m2), d12_ = (m1) - (m2);              \
    lanes16 s34_ = (m3) + (m4), d34_ = (m3) - (m4);              \
    (o)[0] = (m0) + s12_ + s34_;                                 \
    (o)[1] = d12_ + 2 * d34_;                                    \
    (o)[2] = s12_ + 4 * s34_;                                    \
    (o)[3] = d12_ + 8 * d34_ + (m5);                             \
  } while (0)

INLINE lanes16 activate(lanes16 x, int kind, float slope) {
  if (kind == 0) return x;
  lanes16 zero = {0};
  lanes16 pos = __builtin_elementwise_max(x, zero);
  if (kind == 1) return pos;
  return pos + slope * __builtin_elementwise_min(x, zero);
}

// One output channel: tile rows ty0 ..< ty0 + rows, tile blocks bx0 ..< bx1 of each.
// Column pass of one tile block of one channel: s[6 i + c] holds row i of (A^T m) for column c.
INLINE void block_columns(const float *p, long point_stride, lanes16 s[24]) {
  for (int c = 0; c < 6; c++) {
    lanes16 r[4];
    OUTPUT_STEP(load16(p + c * point_stride), load16(p + (6 + c) * point_stride),
                load16(p + (12 + c) * point_stride), load16(p + (18 + c) * point_stride),
                load16(p + (24 + c) * point_stride), load16(p + (30 + c) * point_stride), r);
    s[c] = r[0]; s[6 + c] = r[1]; s[12 + c] = r[2]; s[18 + c] = r[3];
  }
}

// Output row i of a tile block (64 columns, 4j + k = tile j, column k) with bias and activation.
INLINE void block_row(const lanes16 s[24], int i, lanes16 b16, int kind, float slope, lanes16 row[4]) {
  lanes16 c[4];
  OUTPUT_STEP(s[6 * i], s[6 * i + 1], s[6 * i + 2], s[6 * i + 3], s[6 * i + 4], s[6 * i + 5], c);
  for (int k = 0; k < 4; k++) c[k] = activate(c[k] + b16, kind, slope);
  // Interleave: output column 4j + k of this block row is c[k][j].
  lanes16 alo = __builtin_shufflevector(c[0], c[1], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  lanes16 ahi = __builtin_shufflevector(c[0], c[1], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  lanes16 blo = __builtin_shufflevector(c[2], c[3], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  lanes16 bhi = __builtin_shufflevector(c[2], c[3], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  row[0] = __builtin_shufflevector(alo, blo, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
  row[1] = __builtin_shufflevector(alo, blo, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
  row[2] = __builtin_shufflevector(ahi, bhi, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
  row[3] = __builtin_shufflevector(ahi, bhi, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
}

// Output pixel (y, x) goes to out[y * row_stride + x * col_stride] (col_stride 1, or the pixel
// shuffle's factor); residual[y * width + x] is added only with col_stride 1.
INLINE void output_plane(const float *m, long point_stride, long block_stride, long height, long width,
                         long ty0, long rows, long bx0, long bx1, float bias, int kind, float slope,
                         const float *residual, float residual_scale, float *out, long row_stride,
                         long col_stride) {
  const long blocks = bx1 - bx0;
  const lanes16 b16 = splat(bias);
  for (long ty = ty0; ty < ty0 + rows; ty++) {
    const float *src = m + (ty - ty0) * blocks * block_stride;
    for (long b = 0; b < blocks; b++) {
      lanes16 s[24];
      block_columns(src + b * block_stride, point_stride, s);
      const long x0 = 64 * (bx0 + b);
      const long count = width - x0 < 64 ? width - x0 : 64;
      for (int i = 0; i < 4; i++) {
        const long oy = 4 * ty + i;
        if (oy >= height) break;
        lanes16 row[4];
        block_row(s, i, b16, kind, slope, row);
        float *dst = out + oy * row_stride + x0 * col_stride;
        const float *res = residual ? residual + oy * width + x0 : 0;
        if (col_stride != 1) {
          float tmp[64];
          for (int q = 0; q < 4; q++) store16(tmp + 16 * q, row[q]);
          for (long x = 0; x < count; x++) dst[x * col_stride] = tmp[x];
        } else if (count == 64) {
          for (int q = 0; q < 4; q++) {
            lanes16 y = row[q];
            if (res) y = residual_scale * y + load16(res + 16 * q);
            store16(dst + 16 * q, y);
          }
        } else {
          float tmp[64];
          for (int q = 0; q < 4; q++) store16(tmp + 16 * q, row[q]);
          for (long x = 0; x < count; x++) dst[x] = res ? residual_scale * tmp[x] + res[x] : tmp[x];
        }
      }
    }
  }
}

// PixelShuffle(2) of the channel pair (j = 0 at m0, j = 1 at m1) that shares an output row:
// pixel (y, x) of channel j goes to out[y * row_stride + 2 x + j]; the two rows are interleaved
// with shuffles and stored as whole vectors.
INLINE void output_pair_shuffle2(const float *m0, const float *m1, long point_stride, long block_stride,
                                 long height, long width, long ty0, long rows, long bx0, long bx1, float bias0,
                                 float bias1, int kind, float slope, float *out, long row_stride) {
  const long blocks = bx1 - bx0;
  const lanes16 b0 = splat(bias0), b1 = splat(bias1);
  for (long ty = ty0; ty < ty0 + rows; ty++) {
    const long offset = (ty - ty0) * blocks * block_stride;
    for (long b = 0; b < blocks; b++) {
      lanes16 s0[24], s1[24];
      block_columns(m0 + offset + b * block_stride, point_stride, s0);
      block_columns(m1 + offset + b * block_stride, point_stride, s1);
      const long x0 = 64 * (bx0 + b);
      const long count = width - x0 < 64 ? width - x0 : 64;
      for (int i = 0; i < 4; i++) {
        const long oy = 4 * ty + i;
        if (oy >= height) break;
        lanes16 r0[4], r1[4], pairs[8];
        block_row(s0, i, b0, kind, slope, r0);
        block_row(s1, i, b1, kind, slope, r1);
        for (int q = 0; q < 4; q++) {
          pairs[2 * q] = __builtin_shufflevector(r0[q], r1[q], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
          pairs[2 * q + 1] = __builtin_shufflevector(r0[q], r1[q], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29,
                                                     14, 30, 15, 31);
        }
        float *dst = out + oy * row_stride + 2 * x0;
        if (count == 64) {
          for (int q = 0; q < 8; q++) store16(dst + 16 * q, pairs[q]);
        } else {
          float tmp[128];
          for (int q = 0; q < 8; q++) store16(tmp + 16 * q, pairs[q]);
          for (long x = 0; x < 2 * count; x++) dst[x] = tmp[x];
        }
      }
    }
  }
}

// With `shuffle` f > 1, conv channel o = (c f + i) f + j lands at (c, f y + i, f x + j) of the
// (out_channels / f^2) x (f height) x (f width) map `out` (PixelShuffle).
INLINE void output_transform(const float *m, long out_channels, long point_stride, long height, long width,
                             long ty0, long rows, long bx0, long bx1, const float *bias, int kind, float slope,
                             const float *residual, float residual_scale, long shuffle, float *out) {
  const long plane = height * width;
  if (shuffle == 2) {
    // Channels 4c + 2i + j: j = 0 and 1 fill one output row together.
    for (long o = 0; o < out_channels; o += 2) {
      const long c = o / 4, i = o / 2 % 2;
      output_pair_shuffle2(m + 16 * o, m + 16 * (o + 1), point_stride, 16 * out_channels, height, width, ty0, rows,
                           bx0, bx1, bias ? bias[o] : 0, bias ? bias[o + 1] : 0, kind, slope,
                           out + c * plane * 4 + i * width * 2, 4 * width);
    }
    return;
  }
  for (long o = 0; o < out_channels; o++) {
    float *base = out + o * plane;
    long row_stride = width, col_stride = 1;
    if (shuffle > 1) {
      const long f = shuffle, c = o / (f * f), i = o / f % f, j = o % f;
      base = out + c * plane * f * f + i * width * f + j;
      row_stride = f * width * f;
      col_stride = f;
    }
    output_plane(m + 16 * o, point_stride, 16 * out_channels, height, width, ty0, rows, bx0, bx1,
                 bias ? bias[o] : 0, kind, slope, residual && shuffle == 1 ? residual + o * plane : 0,
                 residual_scale, base, row_stride, col_stride);
  }
}

#define INPUT_ARGS (const float *x, long channels, long h, long w, long ty0, long rows, long bx0, long bx1, \
                    float *v, long bs, long ps, float *scratch)
#define INPUT_CALL x, channels, h, w, ty0, rows, bx0, bx1, v, bs, ps, scratch
#define OUTPUT_ARGS (const float *m, long out_channels, long ps, long h, long w, long ty0, long rows, long bx0, \
                     long bx1, const float *bias, int kind, float slope, const float *res, float scale,     \
                     long shuffle, float *out)
#define OUTPUT_CALL m, out_channels, ps, h, w, ty0, rows, bx0, bx1, bias, kind, slope, res, scale, shuffle, out

SRS_KERNEL_VARIANTS(input, INPUT_ARGS, input_transform(INPUT_CALL))
SRS_KERNEL_VARIANTS(output, OUTPUT_ARGS, output_transform(OUTPUT_CALL))

void srs_winograd_input(int isa, const float *x, long channels, long h, long w, long ty0, long rows, long bx0,
                        long bx1, float *v, long bs, long ps, float *scratch) {
  SRS_DISPATCH(isa, input, INPUT_CALL);
}

void srs_winograd_output(int isa, const float *m, long out_channels, long ps, long h, long w, long ty0, long rows,
                         long bx0, long bx1, const float *bias, int kind, float slope, const float *res, float scale,
                         long shuffle, float *out) {
  SRS_DISPATCH(isa, output, OUTPUT_CALL);
}
