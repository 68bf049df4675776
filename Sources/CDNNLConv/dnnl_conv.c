#include "CDNNLConv.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

// oneDNN convolution passes for SRScope (see CDNNLConv.h). One engine for the process; per
// conv object a stream, the forward primitive descriptor, and per pass its primitive, the
// reorders between the caller's plain f32 buffers and oneDNN's chosen layouts, and a scratchpad.

/// One argument of a pass: the caller's plain f32 memory (handle set per call) and, when oneDNN
/// chose another layout or type, its own memory and the reorder between the two.
typedef struct {
  int arg;                 ///< DNNL_ARG_*
  int is_output;           ///< 1: primitive -> internal -> user; 0: user -> internal -> primitive
  dnnl_memory_t user;      ///< the caller's buffer (plain layout, f32)
  dnnl_memory_t internal;  ///< oneDNN's layout, or NULL when it equals the caller's
  dnnl_primitive_t reorder;
} pass_arg;

typedef struct {
  int ready;
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t primitive;
  pass_arg args[4];
  int arg_count;
  dnnl_memory_t scratchpad;
} pass_state;

struct srs_dnnl_conv {
  srs_dnnl_conv_config config;
  dnnl_stream_t stream;
  dnnl_primitive_desc_t forward_hint;  ///< forward (training) pd: forward's and the backward passes' hint
  pass_state passes[3];
};

static const char *pass_names[3] = {"forward", "backward-data", "backward-weights"};

static void set_error(char *error, size_t size, const char *format, ...) {
  if (!error || size == 0) return;
  va_list args;
  va_start(args, format);
  vsnprintf(error, size, format, args);
  va_end(args);
}

// ---- process-wide state: the engine, OpenMP's thread setter --------------------------------

static dnnl_engine_t engine;
static dnnl_status_t engine_status = dnnl_success;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void make_engine(void) { engine_status = dnnl_engine_create(&engine, dnnl_cpu, 0); }

typedef void (*omp_set_num_threads_fn)(int);
static omp_set_num_threads_fn omp_setter;
static pthread_once_t omp_once = PTHREAD_ONCE_INIT;

// libgomp comes with libdnnl (its OpenMP runtime); looked up rather than linked so that this
// file needs no OpenMP headers or link flags.
static void find_omp_setter(void) {
  omp_setter = (omp_set_num_threads_fn)dlsym(RTLD_DEFAULT, "omp_set_num_threads");
}

int srs_dnnl_set_omp_threads(int threads) {
  pthread_once(&omp_once, find_omp_setter);
  if (!omp_setter) return -1;
  omp_setter(threads < 1 ? 1 : threads);
  return 0;
}

int srs_cpu_has_amx_bf16(void) {
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(d & (1u << 22))) return 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;  // OSXSAVE
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (lo & (3u << 17)) == (3u << 17);
#else
  return 0;
#endif
}

// ---- descriptors ----------------------------------------------------------------------------

#define CHECK(call, what)                                                                        \
  do {                                                                                           \
    dnnl_status_t status_ = (call);                                                              \
    if (status_ != dnnl_success) {                                                               \
      set_error(error, error_size, "oneDNN %s: %s failed: %s", context, what, dnnl_status2str(status_)); \
      return 1;                                                                                  \
    }                                                                                            \
  } while (0)

typedef struct {
  dnnl_memory_desc_t src, weights, bias, dst;  ///< the caller's: NCHW, OIHW, x, NCHW, all f32
  dnnl_memory_desc_t src_any, weights_any, dst_any, bias_f32;  ///< for the primitive: any layout
  dnnl_dims_t strides, padding_l, padding_r;
} conv_descs;

static long out_size(long in, long k, long s, long p) { return (in + 2 * p - k) / s + 1; }

static int make_descs(const srs_dnnl_conv_config *c, conv_descs *d, int for_backward, const char *context,
                      char *error, size_t error_size) {
  const dnnl_data_type_t low = c->bf16 ? dnnl_bf16 : dnnl_f32;
  long oh = out_size(c->height, c->kernel, c->stride, c->padding);
  long ow = out_size(c->width, c->kernel, c->stride, c->padding);
  dnnl_dims_t src = {c->batch, c->in_channels, c->height, c->width};
  dnnl_dims_t weights = {c->out_channels, c->in_channels, c->kernel, c->kernel};
  dnnl_dims_t bias = {c->out_channels};
  dnnl_dims_t dst = {c->batch, c->out_channels, oh, ow};
  CHECK(dnnl_memory_desc_init_by_tag(&d->src, 4, src, dnnl_f32, dnnl_nchw), "source descriptor");
  CHECK(dnnl_memory_desc_init_by_tag(&d->weights, 4, weights, dnnl_f32, dnnl_oihw), "weight descriptor");
  CHECK(dnnl_memory_desc_init_by_tag(&d->bias, 1, bias, dnnl_f32, dnnl_x), "bias descriptor");
  CHECK(dnnl_memory_desc_init_by_tag(&d->dst, 4, dst, dnnl_f32, dnnl_nchw), "destination descriptor");
  CHECK(dnnl_memory_desc_init_by_tag(&d->src_any, 4, src, low, dnnl_format_tag_any), "source descriptor");
  CHECK(dnnl_memory_desc_init_by_tag(&d->weights_any, 4, weights, low, dnnl_format_tag_any), "weight descriptor");
  // Forward and backward-data write f32; backward-weights reads the output gradient in `low`.
  CHECK(dnnl_memory_desc_init_by_tag(&d->dst_any, 4, dst, for_backward ? low : dnnl_f32, dnnl_format_tag_any),
        "destination descriptor");
  CHECK(dnnl_memory_desc_init_by_tag(&d->bias_f32, 1, bias, dnnl_f32, dnnl_x), "bias descriptor");
  for (int i = 0; i < 2; i++) {
    d->strides[i] = c->stride;
    d->padding_l[i] = c->padding;
    // Right padding so that the last window ends inside the padded input (PyTorch's floor).
    long in = i == 0 ? c->height : c->width, out = i == 0 ? oh : ow;
    d->padding_r[i] = (out - 1) * c->stride + c->kernel - in - c->padding;
  }
  return 0;
}

static int make_forward_pd(srs_dnnl_conv *conv, dnnl_primitive_desc_t *pd, char *error, size_t error_size) {
  const char *context = "convolution forward";
  const srs_dnnl_conv_config *c = &conv->config;
  conv_descs d;
  if (make_descs(c, &d, 0, context, error, error_size)) return 1;
  dnnl_convolution_desc_t desc;
  CHECK(dnnl_convolution_forward_desc_init(&desc, dnnl_forward_training, dnnl_convolution_direct, &d.src_any,
                                           &d.weights_any, &d.bias_f32, &d.dst_any, d.strides, d.padding_l,
                                           d.padding_r),
        "descriptor");
  dnnl_primitive_attr_t attr;
  CHECK(dnnl_primitive_attr_create(&attr), "attribute creation");
  dnnl_status_t status = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
  if (status == dnnl_success && c->activation != 0) {
    dnnl_post_ops_t ops;
    status = dnnl_post_ops_create(&ops);
    if (status == dnnl_success) {
      // eltwise_relu with alpha = slope is LeakyReLU (alpha 0: ReLU).
      status = dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, c->activation == 2 ? c->slope : 0, 0);
      if (status == dnnl_success) status = dnnl_primitive_attr_set_post_ops(attr, ops);
      dnnl_post_ops_destroy(ops);
    }
  }
  if (status == dnnl_success) status = dnnl_primitive_desc_create(pd, &desc, attr, engine, NULL);
  dnnl_primitive_attr_destroy(attr);
  CHECK(status, "primitive descriptor creation");
  return 0;
}

int srs_dnnl_conv_create(const srs_dnnl_conv_config *config, srs_dnnl_conv **out, char *error, size_t error_size) {
  const char *context = "convolution";
  *out = NULL;
  pthread_once(&engine_once, make_engine);
  CHECK(engine_status, "CPU engine creation");
  srs_dnnl_set_omp_threads(config->threads);
  srs_dnnl_conv *conv = calloc(1, sizeof *conv);
  if (!conv) {
    set_error(error, error_size, "oneDNN convolution: out of memory");
    return 1;
  }
  conv->config = *config;
  dnnl_status_t status = dnnl_stream_create(&conv->stream, engine, dnnl_stream_default_flags);
  if (status != dnnl_success) {
    free(conv);
    set_error(error, error_size, "oneDNN convolution: stream creation failed: %s", dnnl_status2str(status));
    return 1;
  }
  if (make_forward_pd(conv, &conv->forward_hint, error, error_size)) {
    srs_dnnl_conv_destroy(conv);
    return 1;
  }
  *out = conv;
  return 0;
}

static void destroy_pass(pass_state *p) {
  for (int i = 0; i < p->arg_count; i++) {
    if (p->args[i].reorder) dnnl_primitive_destroy(p->args[i].reorder);
    if (p->args[i].internal) dnnl_memory_destroy(p->args[i].internal);
    if (p->args[i].user) dnnl_memory_destroy(p->args[i].user);
  }
  if (p->scratchpad) dnnl_memory_destroy(p->scratchpad);
  if (p->primitive) dnnl_primitive_destroy(p->primitive);
  if (p->pd) dnnl_primitive_desc_destroy(p->pd);
  memset(p, 0, sizeof *p);
}

void srs_dnnl_conv_destroy(srs_dnnl_conv *conv) {
  if (!conv) return;
  for (int i = 0; i < 3; i++) destroy_pass(&conv->passes[i]);
  if (conv->forward_hint) dnnl_primitive_desc_destroy(conv->forward_hint);
  if (conv->stream) dnnl_stream_destroy(conv->stream);
  free(conv);
}

/// Adds argument `arg` of `p`: the caller's layout `user_md`; the primitive's is queried with
/// `query` and `index` (1: the bias of a weights query). A reorder is made when the two differ.
static int add_arg(pass_state *p, int arg, int is_output, const dnnl_memory_desc_t *user_md, dnnl_query_t query,
                   int index, const char *context, char *error, size_t error_size) {
  pass_arg *a = &p->args[p->arg_count++];
  a->arg = arg;
  a->is_output = is_output;
  CHECK(dnnl_memory_create(&a->user, user_md, engine, DNNL_MEMORY_NONE), "memory creation");
  const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(p->pd, query, index);
  if (!md) {
    set_error(error, error_size, "oneDNN %s: no memory descriptor for argument %d", context, arg);
    return 1;
  }
  if (dnnl_memory_desc_equal(md, user_md)) return 0;
  CHECK(dnnl_memory_create(&a->internal, md, engine, DNNL_MEMORY_ALLOCATE), "memory allocation");
  dnnl_primitive_desc_t reorder_pd;
  if (is_output)
    CHECK(dnnl_reorder_primitive_desc_create(&reorder_pd, md, engine, user_md, engine, NULL), "reorder creation");
  else
    CHECK(dnnl_reorder_primitive_desc_create(&reorder_pd, user_md, engine, md, engine, NULL), "reorder creation");
  dnnl_status_t status = dnnl_primitive_create(&a->reorder, reorder_pd);
  dnnl_primitive_desc_destroy(reorder_pd);
  CHECK(status, "reorder creation");
  return 0;
}

static int build_pass(srs_dnnl_conv *conv, int pass, char *error, size_t error_size) {
  const srs_dnnl_conv_config *c = &conv->config;
  pass_state *p = &conv->passes[pass];
  char context[64];
  snprintf(context, sizeof context, "convolution %s", pass_names[pass]);
  conv_descs d;
  if (make_descs(c, &d, pass != SRS_DNNL_FORWARD, context, error, error_size)) return 1;
  if (pass == SRS_DNNL_FORWARD) {
    if (make_forward_pd(conv, &p->pd, error, error_size)) return 1;
  } else {
    dnnl_convolution_desc_t desc;
    if (pass == SRS_DNNL_BACKWARD_DATA) {
      // The input gradient is written in f32 (oneDNN accumulates in f32 for bf16 too).
      dnnl_memory_desc_t diff_src_any;
      dnnl_dims_t src = {c->batch, c->in_channels, c->height, c->width};
      CHECK(dnnl_memory_desc_init_by_tag(&diff_src_any, 4, src, dnnl_f32, dnnl_format_tag_any), "descriptor");
      CHECK(dnnl_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, &diff_src_any, &d.weights_any,
                                                     &d.dst_any, d.strides, d.padding_l, d.padding_r),
            "descriptor");
    } else {
      dnnl_memory_desc_t diff_weights_any;
      dnnl_dims_t weights = {c->out_channels, c->in_channels, c->kernel, c->kernel};
      CHECK(dnnl_memory_desc_init_by_tag(&diff_weights_any, 4, weights, dnnl_f32, dnnl_format_tag_any),
            "descriptor");
      CHECK(dnnl_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct, &d.src_any,
                                                        &diff_weights_any, &d.bias_f32, &d.dst_any, d.strides,
                                                        d.padding_l, d.padding_r),
            "descriptor");
    }
    dnnl_primitive_attr_t attr;
    CHECK(dnnl_primitive_attr_create(&attr), "attribute creation");
    dnnl_status_t status = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    if (status == dnnl_success) status = dnnl_primitive_desc_create(&p->pd, &desc, attr, engine, conv->forward_hint);
    dnnl_primitive_attr_destroy(attr);
    CHECK(status, "primitive descriptor creation");
  }
  CHECK(dnnl_primitive_create(&p->primitive, p->pd), "primitive creation");
  const dnnl_memory_desc_t *scratch = dnnl_primitive_desc_query_md(p->pd, dnnl_query_scratchpad_md, 0);
  if (scratch && dnnl_memory_desc_get_size(scratch) > 0)
    CHECK(dnnl_memory_create(&p->scratchpad, scratch, engine, DNNL_MEMORY_ALLOCATE), "scratchpad allocation");
  switch (pass) {
  case SRS_DNNL_FORWARD:
    if (add_arg(p, DNNL_ARG_SRC, 0, &d.src, dnnl_query_src_md, 0, context, error, error_size)) return 1;
    if (add_arg(p, DNNL_ARG_WEIGHTS, 0, &d.weights, dnnl_query_weights_md, 0, context, error, error_size)) return 1;
    if (add_arg(p, DNNL_ARG_BIAS, 0, &d.bias, dnnl_query_weights_md, 1, context, error, error_size)) return 1;
    if (add_arg(p, DNNL_ARG_DST, 1, &d.dst, dnnl_query_dst_md, 0, context, error, error_size)) return 1;
    break;
  case SRS_DNNL_BACKWARD_DATA:
    if (add_arg(p, DNNL_ARG_DIFF_DST, 0, &d.dst, dnnl_query_diff_dst_md, 0, context, error, error_size)) return 1;
    if (add_arg(p, DNNL_ARG_WEIGHTS, 0, &d.weights, dnnl_query_weights_md, 0, context, error, error_size)) return 1;
    if (add_arg(p, DNNL_ARG_DIFF_SRC, 1, &d.src, dnnl_query_diff_src_md, 0, context, error, error_size)) return 1;
    break;
  default:
    if (add_arg(p, DNNL_ARG_SRC, 0, &d.src, dnnl_query_src_md, 0, context, error, error_size)) return 1;
    if (add_arg(p, DNNL_ARG_DIFF_DST, 0, &d.dst, dnnl_query_diff_dst_md, 0, context, error, error_size)) return 1;
    if (add_arg(p, DNNL_ARG_DIFF_WEIGHTS, 1, &d.weights, dnnl_query_diff_weights_md, 0, context, error, error_size))
      return 1;
    if (add_arg(p, DNNL_ARG_DIFF_BIAS, 1, &d.bias, dnnl_query_diff_weights_md, 1, context, error, error_size)) return 1;
    break;
  }
  p->ready = 1;
  return 0;
}

int srs_dnnl_conv_prepare(srs_dnnl_conv *conv, int pass, char *error, size_t error_size) {
  if (pass < 0 || pass > 2) {
    set_error(error, error_size, "oneDNN convolution: no pass %d", pass);
    return 1;
  }
  if (conv->passes[pass].ready) return 0;
  srs_dnnl_set_omp_threads(conv->config.threads);
  if (build_pass(conv, pass, error, error_size)) {
    destroy_pass(&conv->passes[pass]);
    return 1;
  }
  return 0;
}

/// Runs `pass` with the caller's buffers in `handles` (in the order the arguments were added;
/// NULL: a zero bias, or an unwanted bias gradient).
static int run_pass(srs_dnnl_conv *conv, int pass, void *const *handles, char *error, size_t error_size) {
  if (srs_dnnl_conv_prepare(conv, pass, error, error_size)) return 1;
  pass_state *p = &conv->passes[pass];
  char context[64];
  snprintf(context, sizeof context, "convolution %s", pass_names[pass]);
  dnnl_exec_arg_t args[6];
  int n = 0;
  // Inputs through their reorders first; outputs go to the internal memory (or the caller's).
  for (int i = 0; i < p->arg_count; i++) {
    pass_arg *a = &p->args[i];
    CHECK(dnnl_memory_set_data_handle(a->user, handles[i]), "setting a buffer");
    if (!a->is_output && a->reorder) {
      dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, a->user}, {DNNL_ARG_TO, a->internal}};
      CHECK(dnnl_primitive_execute(a->reorder, conv->stream, 2, r), "input reorder");
    }
    args[n++] = (dnnl_exec_arg_t){a->arg, a->internal ? a->internal : a->user};
  }
  if (p->scratchpad) args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, p->scratchpad};
  CHECK(dnnl_primitive_execute(p->primitive, conv->stream, n, args), "execution");
  for (int i = 0; i < p->arg_count; i++) {
    pass_arg *a = &p->args[i];
    if (a->is_output && a->reorder) {
      dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, a->internal}, {DNNL_ARG_TO, a->user}};
      CHECK(dnnl_primitive_execute(a->reorder, conv->stream, 2, r), "output reorder");
    }
  }
  CHECK(dnnl_stream_wait(conv->stream), "stream wait");
  return 0;
}

int srs_dnnl_conv_forward(srs_dnnl_conv *conv, const float *src, const float *weights, const float *bias,
                          float *dst, char *error, size_t error_size) {
  srs_dnnl_set_omp_threads(conv->config.threads);
  float *zeros = NULL;
  if (!bias) {
    zeros = calloc((size_t)conv->config.out_channels, sizeof(float));
    if (!zeros) {
      set_error(error, error_size, "oneDNN convolution forward: out of memory");
      return 1;
    }
  }
  void *handles[4] = {(void *)src, (void *)weights, bias ? (void *)bias : zeros, dst};
  int status = run_pass(conv, SRS_DNNL_FORWARD, handles, error, error_size);
  free(zeros);
  return status;
}

int srs_dnnl_conv_backward_data(srs_dnnl_conv *conv, const float *diff_dst, const float *weights,
                                float *diff_src, char *error, size_t error_size) {
  srs_dnnl_set_omp_threads(conv->config.threads);
  void *handles[3] = {(void *)diff_dst, (void *)weights, diff_src};
  return run_pass(conv, SRS_DNNL_BACKWARD_DATA, handles, error, error_size);
}

int srs_dnnl_conv_backward_weights(srs_dnnl_conv *conv, const float *src, const float *diff_dst,
                                   float *diff_weights, float *diff_bias, char *error, size_t error_size) {
  srs_dnnl_set_omp_threads(conv->config.threads);
  float *scratch_bias = NULL;
  if (!diff_bias) {
    scratch_bias = malloc((size_t)conv->config.out_channels * sizeof(float));
    if (!scratch_bias) {
      set_error(error, error_size, "oneDNN convolution backward-weights: out of memory");
      return 1;
    }
  }
  void *handles[4] = {(void *)src, (void *)diff_dst, diff_weights, diff_bias ? diff_bias : scratch_bias};
  int status = run_pass(conv, SRS_DNNL_BACKWARD_WEIGHTS, handles, error, error_size);
  free(scratch_bias);
  return status;
}

const char *srs_dnnl_conv_implementation(const srs_dnnl_conv *conv, int pass) {
  if (pass < 0 || pass > 2 || !conv->passes[pass].ready) return "";
  const char *name = NULL;
  if (dnnl_primitive_desc_query(conv->passes[pass].pd, dnnl_query_impl_info_str, 0, &name) != dnnl_success || !name)
    return "";
  return name;
}
