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

}  // namespace
}  // namespace wc::app
