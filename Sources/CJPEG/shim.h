#include <stdio.h>  // jpeglib.h uses FILE and size_t without including their headers
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// SRImage's libjpeg(-turbo) bridge. libjpeg reports fatal errors through error_exit, whose default
// prints to stderr and calls exit(), and warnings through emit_message, which prints. Here
// error_exit formats the message into a buffer and longjmps back to the setjmp in srjpeg_decode
// (so the jump only unwinds libjpeg's own C frames, never a Swift one), output_message prints
// nothing, and the warnings that mean lost or wrong pixels (a truncated file, bad entropy data)
// are fatal too instead of a silently grey-padded picture. See Sources/SRImage/README.md.

enum {
  SRJPEG_OK = 0,
  SRJPEG_LIBJPEG_ERROR = 1,  // message holds libjpeg's text
  SRJPEG_TRUNCATED = 2,      // the input ended before the image (or its EOI marker) was complete
  SRJPEG_TOO_LARGE = 3,      // width * height exceeds max_pixels
  SRJPEG_IMPLAUSIBLE = 4,    // the dimensions need more than the whole input (see min_bytes)
  SRJPEG_UNSUPPORTED = 5,    // CMYK / YCCK (jpeg_color_space says which)
  SRJPEG_NO_MEMORY = 6,
};

/// Decoded pixels: 8-bit, 1 (gray) or 3 (RGB) interleaved channels per pixel.
typedef struct {
  uint32_t width, height;
  int components;        // components in the file (1, 3 or 4)
  int jpeg_color_space;  // J_COLOR_SPACE libjpeg inferred for the file (JCS_GRAYSCALE, JCS_YCbCr, ...)
  int progressive;       // SOF2 (progressive) rather than sequential
  int arithmetic;        // arithmetic rather than Huffman entropy coding
  int channels;          // channels of `pixels`
  uint64_t min_bytes;    // the smallest input that could hold this image (Huffman only; 0 = unchecked)
  unsigned char *pixels; // malloc'd, height rows of width*channels bytes; free with srjpeg_free
  char message[JMSG_LENGTH_MAX];
} srjpeg_image;

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  int truncated;
  char *message;
} srjpeg_error;

static inline void srjpeg_error_exit(j_common_ptr cinfo) {
  srjpeg_error *err = (srjpeg_error *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, err->message);
  longjmp(err->jump, 1);
}

static inline void srjpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

/// Trace messages (level >= 0) and metadata-only warnings (unknown JFIF revision, bad ICC or Adobe
/// marker, extraneous bytes between markers: the pixels are still complete) are dropped; warnings
/// that mean missing or wrong pixels end the decode like an error.
static inline void srjpeg_emit_message(j_common_ptr cinfo, int msg_level) {
  if (msg_level >= 0) return;
  srjpeg_error *err = (srjpeg_error *)cinfo->err;
  switch (cinfo->err->msg_code) {
  case JWRN_JPEG_EOF: err->truncated = 1; break;
  case JWRN_HIT_MARKER: case JWRN_HUFF_BAD_CODE: case JWRN_ARITH_BAD_CODE: case JWRN_MUST_RESYNC:
  case JWRN_BOGUS_PROGRESSION: case JWRN_NOT_SEQUENTIAL: case JWRN_TOO_MUCH_DATA: break;
  default: cinfo->err->num_warnings++; return;
  }
  (*cinfo->err->format_message)(cinfo, err->message);
  longjmp(err->jump, 1);
}

static inline void srjpeg_free(srjpeg_image *img) {
  if (img && img->pixels) { free(img->pixels); img->pixels = NULL; }
}

/// The fewest bytes a complete Huffman-coded image of these dimensions needs: every 8x8 block of
/// every component has its DC coefficient coded at least once (sequential or progressive), with a
/// Huffman code of at least one bit. The component with the most blocks gives the bound.
static inline uint64_t srjpeg_min_bytes(j_decompress_ptr cinfo) {
  uint64_t blocks = 0;
  for (int c = 0; c < cinfo->num_components; c++) {
    jpeg_component_info *comp = &cinfo->comp_info[c];
    uint64_t n = (uint64_t)comp->width_in_blocks * (uint64_t)comp->height_in_blocks;
    if (n > blocks) blocks = n;
  }
  return (blocks + 7) / 8;
}

/// Checks the header's dimensions and colour space before anything is allocated for pixels.
static inline int srjpeg_check_header(j_decompress_ptr cinfo, size_t size, uint64_t max_pixels,
                                      srjpeg_image *out) {
  out->width = cinfo->image_width;
  out->height = cinfo->image_height;
  out->components = cinfo->num_components;
  out->jpeg_color_space = cinfo->jpeg_color_space;
  out->progressive = cinfo->progressive_mode ? 1 : 0;
  out->arithmetic = cinfo->arith_code ? 1 : 0;
  if ((uint64_t)out->width * (uint64_t)out->height > max_pixels) return SRJPEG_TOO_LARGE;
  // Arithmetic coding can code a flat block in well under a bit: no sound bound there.
  if (!cinfo->arith_code) {
    out->min_bytes = srjpeg_min_bytes(cinfo);
    if ((uint64_t)size < out->min_bytes) return SRJPEG_IMPLAUSIBLE;
  }
  if (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK) {
    return SRJPEG_UNSUPPORTED;
  }
  return SRJPEG_OK;
}

/// Decodes a whole baseline or progressive 8-bit JPEG from memory with libjpeg's defaults
/// (JDCT_ISLOW, fancy upsampling): one-component files to gray, everything else to RGB.
/// Returns an SRJPEG_* status; on SRJPEG_LIBJPEG_ERROR or SRJPEG_TRUNCATED `out->message` has
/// libjpeg's text.
static inline int srjpeg_decode(const unsigned char *data, size_t size, uint64_t max_pixels,
                                srjpeg_image *out) {
  struct jpeg_decompress_struct cinfo;
  srjpeg_error err;
  memset(out, 0, sizeof *out);
  memset(&cinfo, 0, sizeof cinfo);
  memset(&err, 0, sizeof err);
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = srjpeg_error_exit;
  err.pub.output_message = srjpeg_output_message;
  err.pub.emit_message = srjpeg_emit_message;
  err.message = out->message;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    srjpeg_free(out);
    return err.truncated ? SRJPEG_TRUNCATED : SRJPEG_LIBJPEG_ERROR;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, (unsigned long)size);
  jpeg_read_header(&cinfo, TRUE);
  int status = srjpeg_check_header(&cinfo, size, max_pixels, out);
  if (status != SRJPEG_OK) {
    jpeg_destroy_decompress(&cinfo);
    return status;
  }
  cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  out->channels = cinfo.output_components;
  size_t row_bytes = (size_t)cinfo.output_width * (size_t)out->channels;
  // The output grows (doubling) as rows arrive instead of being allocated whole: arithmetic-coded
  // files have no size bound (srjpeg_check_header), so a few hundred bytes could otherwise claim
  // 2^28 pixels and get 800 MB allocated before libjpeg notices the data is missing.
  size_t capacity_rows = 0;
  while (cinfo.output_scanline < cinfo.output_height) {
    if (cinfo.output_scanline == capacity_rows) {
      size_t rows = capacity_rows ? capacity_rows * 2 : 64;
      if (rows > cinfo.output_height) rows = cinfo.output_height;
      unsigned char *grown = (unsigned char *)realloc(out->pixels, row_bytes * rows + 1);
      if (!grown) {
        srjpeg_free(out);
        jpeg_destroy_decompress(&cinfo);
        return SRJPEG_NO_MEMORY;
      }
      out->pixels = grown;
      capacity_rows = rows;
    }
    JSAMPROW row = out->pixels + (size_t)cinfo.output_scanline * row_bytes;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);  // reads up to EOI: a file cut after the last scan is truncated
  jpeg_destroy_decompress(&cinfo);
  return SRJPEG_OK;
}
