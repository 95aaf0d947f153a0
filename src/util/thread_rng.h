#pragma once
// One random generator per thread, for back-off jitter and request ids (not for secrets).

#include <random>

namespace wc::util {

/// This thread's generator, seeded from std::random_device on first use. It lives on the heap:
/// a thread_local std::mt19937_64 is 2.5 KB of static TLS, which every thread of the process
/// zero-fills on its stack whether it ever draws a number or not (four of them were 10 KB per
/// thread, 5 MB across 512 lanes).
std::mt19937_64& thread_rng();

}  // namespace wc::util
