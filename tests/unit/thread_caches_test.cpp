#include "app/thread_caches.h"

#include <gtest/gtest.h>

namespace wc::app {
namespace {

TEST(ThreadCaches, TheLimitIsAddedToWhatTheUserSet) {
  EXPECT_EQ(tuned_glibc_tunables(nullptr), "glibc.malloc.tcache_max=64");
  EXPECT_EQ(tuned_glibc_tunables(""), "glibc.malloc.tcache_max=64");
  EXPECT_EQ(tuned_glibc_tunables("glibc.malloc.arena_max=2"),
            "glibc.malloc.arena_max=2:glibc.malloc.tcache_max=64");
}

TEST(ThreadCaches, AUsersOwnThreadCacheSettingStandsAndEndsTheRestarts) {
  EXPECT_EQ(tuned_glibc_tunables("glibc.malloc.tcache_max=64"), std::nullopt);
  EXPECT_EQ(tuned_glibc_tunables("glibc.malloc.tcache_count=0"), std::nullopt);
  EXPECT_EQ(tuned_glibc_tunables("glibc.malloc.arena_max=2:glibc.malloc.tcache_max=1032"),
            std::nullopt);
}

TEST(ThreadCaches, ValgrindIsToldByItsPreloadedLibraries) {
  EXPECT_TRUE(
      under_valgrind("/usr/libexec/valgrind/vgpreload_core-amd64-linux.so:/usr/libexec/valgrind/"
                     "vgpreload_memcheck-amd64-linux.so"));
  EXPECT_FALSE(under_valgrind(nullptr));
  EXPECT_FALSE(under_valgrind("/usr/lib/x86_64-linux-gnu/libheaptrack_preload.so"));
}

}  // namespace
}  // namespace wc::app
