#pragma once
// A property a fuzz target asserts: when it does not hold, the input is a bug, so the process
// aborts and libFuzzer keeps the input as a crash.

#include <cstdio>
#include <cstdlib>

#define WC_FUZZ_CHECK(condition)                                                            \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)
