#ifndef SRSCOPE_FUZZ_DRIVER_H
#define SRSCOPE_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver for programs with their own main (compiler-rt FuzzerInterface.h). SwiftPM
// links every executable target with `--defsym main=<Target>_main`, so the fuzz targets cannot use
// libFuzzer's own main: each has an `@main` that calls this with its LLVMFuzzerTestOneInput.
int LLVMFuzzerRunDriver(int *_Nonnull argc, char *_Nullable *_Nonnull *_Nonnull argv,
                        int (*_Nonnull callback)(const uint8_t *_Nonnull data, size_t size));

#endif
