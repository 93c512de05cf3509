#ifndef VARCO_FUZZ_DRIVER_H
#define VARCO_FUZZ_DRIVER_H

/// Runs libFuzzer's driver on the arguments with LLVMFuzzerTestOneInput. Returns -1 when the binary
/// was not built with -sanitize=fuzzer (libFuzzer is absent).
int varco_fuzz_run_driver(int argc, char **argv);

#endif
