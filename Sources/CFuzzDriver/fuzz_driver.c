#include <stddef.h>
#include <stdint.h>
#include "fuzz_driver.h"

// Both are weak: libFuzzer exists only in a -sanitize=fuzzer build, and the test-one-input callback
// is compiled only then (Sources/VarcoFuzz/LibFuzzerEntry.swift).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size)) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) __attribute__((weak));

int varco_fuzz_run_driver(int argc, char **argv) {
    if (!LLVMFuzzerRunDriver || !LLVMFuzzerTestOneInput) return -1;
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
