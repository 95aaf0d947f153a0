#pragma once
// glibc's malloc keeps a cache of freed blocks in every thread (up to 7 of each size up to
// 1 KiB). A lane is a thread, and at --concurrency 512 those caches held about 27 MB of the peak
// RSS (measured: 88 MB, 60 MB with the cache limited to blocks of 64 bytes, same CPU per
// request). The cache can only be sized by the GLIBC_TUNABLES variable, which glibc reads as
// the process starts; so the program starts itself again with the limit added.

#include <optional>
#include <string>

namespace wc::app {

/// The tunable this program adds: thread caches keep only blocks of up to 64 bytes.
inline constexpr const char* k_thread_cache_tunable = "glibc.malloc.tcache_max=64";

/// What GLIBC_TUNABLES should be (`current` is its value, or null when unset): nullopt when it
/// already sets any thread-cache tunable (glibc.malloc.tcache_*: the user's choice stands), or
/// else `current` with k_thread_cache_tunable added.
std::optional<std::string> tuned_glibc_tunables(const char* current);

/// Whether valgrind runs this process (its preloaded libraries are in LD_PRELOAD): there
/// /proc/self/exe is valgrind's own tool, which refuses to be started directly, and valgrind
/// does not follow a restart into the new program anyway.
bool under_valgrind(const char* ld_preload);

/// Runs this program again (execv of /proc/self/exe: same process id, arguments and
/// environment) with GLIBC_TUNABLES as tuned_glibc_tunables says; returns without doing so when
/// nothing needs adding, for a set-user-id start (where glibc ignores the variable), under
/// valgrind, or when the exec fails (the program then runs with glibc's default caches).
void limit_thread_caches(char** argv);

}  // namespace wc::app
