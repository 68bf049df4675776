#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// SRImage's libpng bridge. libpng reports errors by longjmp, which must never cross a Swift
// frame, so every libpng call lives in the static inline C functions below: each one owns its
// setjmp, so a longjmp only unwinds libpng's own C frames back to here. Errors come back as a
// status code plus libpng's message. No transforms touch sample values beyond expansion
// (no gamma, no sBIT shift, no 16->8 strip). See Sources/SRImage/README.md.

enum {
  SRPNG_OK = 0,
  SRPNG_LIBPNG_ERROR = 1,   // message holds libpng's text
  SRPNG_TRUNCATED = 2,      // the input ended before libpng was done
  SRPNG_TOO_LARGE = 3,      // width * height exceeds max_pixels
  SRPNG_NO_MEMORY = 4,
  SRPNG_IMPLAUSIBLE = 5,    // the dimensions need more than the whole input (see min_bytes)
};

/// Decoded pixels: 8-bit, or 16-bit big-endian, 1..4 interleaved channels per pixel.
typedef struct {
  uint32_t width, height;
  int bit_depth;        // IHDR bit depth (1, 2, 4, 8, 16)
  int color_type;       // IHDR colour type (PNG_COLOR_TYPE_*)
  int has_trns;         // a tRNS chunk was present
  int channels;         // channels after expansion (1 gray, 2 gray+alpha, 3 rgb, 4 rgba)
  int sample_bytes;     // 1 or 2
  uint64_t min_bytes;   // the smallest input that could hold this image's compressed samples
  unsigned char *pixels;  // malloc'd, height rows of width*channels*sample_bytes; free with srpng_free
  char message[256];
} srpng_image;

typedef struct {
  const unsigned char *data;
  size_t size, offset;
  int truncated;
  png_bytep *rows;
  srpng_image *out;
  char *message;
} srpng_io;

static inline void srpng_error_fn(png_structp png, png_const_charp msg) {
  srpng_io *io = (srpng_io *)png_get_error_ptr(png);
  if (io && io->message) {
    strncpy(io->message, msg ? msg : "unknown libpng error", 255);
    io->message[255] = 0;
  }
  png_longjmp(png, 1);
}

static inline void srpng_warning_fn(png_structp png, png_const_charp msg) {
  (void)png; (void)msg;  // warnings (e.g. a bad ancillary-chunk CRC) are not printed
}

static inline void srpng_read_fn(png_structp png, png_bytep dst, png_size_t len) {
  srpng_io *io = (srpng_io *)png_get_io_ptr(png);
  if (len > io->size - io->offset) {
    io->truncated = 1;
    png_error(png, "truncated PNG data");
  }
  memcpy(dst, io->data + io->offset, len);
  io->offset += len;
}

static inline void srpng_free(srpng_image *img) {
  if (img && img->pixels) { free(img->pixels); img->pixels = NULL; }
}

/// The fewest bytes any PNG with this IHDR needs: its samples (width * height * channels * bit
/// depth, filter bytes not counted) come out of one zlib stream, and deflate expands at most 1032
/// times (a 258-byte match in 2 bits), so the IDAT data alone is at least a 1/1032 of them.
static inline uint64_t srpng_min_bytes(uint32_t width, uint32_t height, int channels, int bit_depth) {
  uint64_t bits = (uint64_t)width * height * (uint64_t)channels * (uint64_t)bit_depth;
  uint64_t sample_bytes = (bits + 7) / 8;
  return (sample_bytes + 1031) / 1032;
}

/// Decodes a whole PNG from memory, expanding palette, low-bit gray and tRNS; 16-bit samples stay
/// 16-bit (big-endian). Returns an SRPNG_* status; on failure `out->message` says why.
static inline int srpng_decode(const unsigned char *data, size_t size, uint64_t max_pixels,
                               srpng_image *out) {
  srpng_io io;
  memset(&io, 0, sizeof io);
  memset(out, 0, sizeof *out);
  io.data = data; io.size = size; io.out = out; io.message = out->message;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &io, srpng_error_fn,
                                           srpng_warning_fn);
  if (!png) return SRPNG_NO_MEMORY;
  png_infop info = png_create_info_struct(png);
  if (!info) { png_destroy_read_struct(&png, NULL, NULL); return SRPNG_NO_MEMORY; }
  if (setjmp(png_jmpbuf(png))) {
    free(io.rows);
    srpng_free(out);
    png_destroy_read_struct(&png, &info, NULL);
    return io.truncated ? SRPNG_TRUNCATED : SRPNG_LIBPNG_ERROR;
  }
  png_set_read_fn(png, &io, srpng_read_fn);
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
  png_read_info(png, info);
  out->width = png_get_image_width(png, info);
  out->height = png_get_image_height(png, info);
  out->bit_depth = png_get_bit_depth(png, info);
  out->color_type = png_get_color_type(png, info);
  out->has_trns = png_get_valid(png, info, PNG_INFO_tRNS) ? 1 : 0;
  if ((uint64_t)out->width * (uint64_t)out->height > max_pixels) {
    png_destroy_read_struct(&png, &info, NULL);
    return SRPNG_TOO_LARGE;
  }
  // Before anything is allocated for pixels (a 2^28-pixel RGBA16 buffer is 2 GB): a 68-byte file
  // with a large IHDR is refused here, not after libpng runs out of data.
  out->min_bytes = srpng_min_bytes(out->width, out->height, png_get_channels(png, info), out->bit_depth);
  if ((uint64_t)size < out->min_bytes) {
    png_destroy_read_struct(&png, &info, NULL);
    return SRPNG_IMPLAUSIBLE;
  }
  png_set_expand(png);  // palette -> RGB, gray < 8 bit -> 8 bit, tRNS -> alpha
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  out->channels = png_get_channels(png, info);
  out->sample_bytes = png_get_bit_depth(png, info) == 16 ? 2 : 1;
  size_t rowbytes = png_get_rowbytes(png, info);
  if (rowbytes != (size_t)out->width * out->channels * out->sample_bytes) {
    png_error(png, "unexpected row size after expansion");
  }
  io.rows = (png_bytep *)malloc(sizeof(png_bytep) * (out->height ? out->height : 1));
  out->pixels = (unsigned char *)malloc(rowbytes * out->height + 1);
  if (!io.rows || !out->pixels) {
    free(io.rows); srpng_free(out);
    png_destroy_read_struct(&png, &info, NULL);
    return SRPNG_NO_MEMORY;
  }
  for (uint32_t y = 0; y < out->height; y++) io.rows[y] = out->pixels + (size_t)y * rowbytes;
  png_read_image(png, io.rows);
  png_read_end(png, NULL);
  free(io.rows);
  png_destroy_read_struct(&png, &info, NULL);
  return SRPNG_OK;
}

/// A growable output buffer for srpng_encode.
typedef struct {
  unsigned char *data;
  size_t size, capacity;
  int failed;
} srpng_buffer;

static inline void srpng_write_fn(png_structp png, png_bytep src, png_size_t len) {
  srpng_buffer *buf = (srpng_buffer *)png_get_io_ptr(png);
  if (len > buf->capacity - buf->size) {
    size_t cap = buf->capacity ? buf->capacity : 4096;
    while (cap - buf->size < len) cap *= 2;
    unsigned char *grown = (unsigned char *)realloc(buf->data, cap);
    if (!grown) { buf->failed = 1; png_error(png, "out of memory"); }
    buf->data = grown; buf->capacity = cap;
  }
  memcpy(buf->data + buf->size, src, len);
  buf->size += len;
}

static inline void srpng_flush_fn(png_structp png) { (void)png; }

/// Encodes interleaved samples (16-bit ones big-endian) as a PNG of the given colour type and bit
/// depth (8 or 16) into `out` (free out->data with free()). Returns an SRPNG_* status.
static inline int srpng_encode(const unsigned char *pixels, uint32_t width, uint32_t height,
                               int color_type, int bit_depth, srpng_buffer *out,
                               char message[256]) {
  srpng_io io;
  memset(&io, 0, sizeof io);
  memset(out, 0, sizeof *out);
  io.message = message;
  message[0] = 0;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &io, srpng_error_fn,
                                            srpng_warning_fn);
  if (!png) return SRPNG_NO_MEMORY;
  png_infop info = png_create_info_struct(png);
  if (!info) { png_destroy_write_struct(&png, NULL); return SRPNG_NO_MEMORY; }
  if (setjmp(png_jmpbuf(png))) {
    free(io.rows);
    free(out->data); out->data = NULL; out->size = 0;
    png_destroy_write_struct(&png, &info);
    return out->failed ? SRPNG_NO_MEMORY : SRPNG_LIBPNG_ERROR;
  }
  png_set_write_fn(png, out, srpng_write_fn, srpng_flush_fn);
  // zlib level 3 instead of the default 6: on a 512x512 RGB upscale, deflate took 27 ms instead
  // of 96 ms for a 9% larger file (still lossless); SR outputs are written often and big.
  png_set_compression_level(png, 3);
  png_set_IHDR(png, info, width, height, bit_depth, color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  int channels = color_type == PNG_COLOR_TYPE_GRAY ? 1
               : color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
               : color_type == PNG_COLOR_TYPE_RGB ? 3 : 4;
  size_t rowbytes = (size_t)width * channels * (bit_depth == 16 ? 2 : 1);
  io.rows = (png_bytep *)malloc(sizeof(png_bytep) * (height ? height : 1));
  if (!io.rows) { out->failed = 1; png_error(png, "out of memory"); }
  for (uint32_t y = 0; y < height; y++) io.rows[y] = (png_bytep)pixels + (size_t)y * rowbytes;
  png_write_image(png, io.rows);
  png_write_end(png, NULL);
  free(io.rows);
  png_destroy_write_struct(&png, &info);
  return SRPNG_OK;
}
