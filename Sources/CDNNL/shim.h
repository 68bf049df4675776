/* oneDNN (Debian libdnnl-dev, 2.6; OpenMP runtime). No pkg-config file ships with it. */
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
