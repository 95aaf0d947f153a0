#include "app/open_files.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace wc::app {
namespace {

TEST(OpenFiles, FourPerLaneAndSomeForTheRest) {
  EXPECT_EQ(open_files_needed(1), 68u);
  EXPECT_EQ(open_files_needed(512), 2'112u) << "measured: 2,059 open at once at 512";
}

TEST(OpenFiles, TheSoftLimitIsRaisedToTheHardOne) {
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 256) {
    GTEST_SKIP() << "hard limit too low";
  }
  rlimit lowered{128, saved.rlim_max};
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);

  const OpenFileLimit result = raise_open_file_limit();
  rlimit now{};
  ::getrlimit(RLIMIT_NOFILE, &now);
  ::setrlimit(RLIMIT_NOFILE, &saved);

  EXPECT_EQ(result.before, 128u);
  EXPECT_EQ(result.now, now.rlim_cur);
  EXPECT_GT(now.rlim_cur, 128u);
  if (saved.rlim_max != RLIM_INFINITY) {
    EXPECT_EQ(now.rlim_cur, saved.rlim_max);
  }
}

}  // namespace
}  // namespace wc::app
