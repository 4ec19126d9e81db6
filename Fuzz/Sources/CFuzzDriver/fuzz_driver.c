// The declaration in include/fuzz_driver.h is all this target provides; libFuzzer
// (-sanitize=fuzzer) defines LLVMFuzzerRunDriver.
#include "fuzz_driver.h"
