#include "store/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace wc::store {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public testing::Test {
 protected:
  fs::path root = fs::temp_directory_path() / ("wc-atomic-" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(root / "widgets" / "sue-smith"); }
  void TearDown() override { fs::remove_all(root); }
  void touch(const fs::path& relative) { std::ofstream(root / relative) << "x"; }
  std::set<std::string> files() {
    std::set<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file()) names.insert(fs::relative(entry.path(), root).string());
    }
    return names;
  }
};

// A pid above any kernel's pid_max (2^22) belongs to no process.
constexpr const char* k_dead_pid = "999999999";

TEST_F(AtomicFileTest, WritesAndReadsBackWithoutLeavingATemporary) {
  ASSERT_TRUE(write_file_atomically(root / "widgets" / "w1", "{}"));
  EXPECT_EQ(**read_file(root / "widgets" / "w1"), "{}");
  EXPECT_EQ(files(), std::set<std::string>{"widgets/w1"});
}

TEST_F(AtomicFileTest, OnlyIfAbsentKeepsTheExistingFile) {
  ASSERT_TRUE(write_file_atomically(root / "w1", "first"));
  auto second = write_file_atomically(root / "w1", "second", WriteMode::only_if_absent);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, WriteResult::already_exists);
  EXPECT_EQ(**read_file(root / "w1"), "first");
  EXPECT_EQ(files(), std::set<std::string>{"w1"});
}

TEST_F(AtomicFileTest, TemporariesOfDeadWritersAreRemovedOthersKept) {
  const std::string live = std::to_string(::getpid());
  touch(fs::path("widgets") / "sue-smith" / (std::string(".w1.tmp.") + k_dead_pid + ".7"));
  touch(fs::path(".w2.tmp.") += std::string(k_dead_pid) + ".1");
  touch(fs::path("widgets") / (".w3.tmp." + live + ".2"));  // a write in progress
  touch(fs::path("widgets") / "sue-smith" / "w1");
  touch(".hidden");
  touch(fs::path(".w4.tmp.notapid.1"));

  EXPECT_EQ(remove_abandoned_temporaries(root), 2u);
  EXPECT_EQ(files(), (std::set<std::string>{"widgets/.w3.tmp." + live + ".2",
                                            "widgets/sue-smith/w1", ".hidden",
                                            ".w4.tmp.notapid.1"}));
}

TEST_F(AtomicFileTest, MissingRootRemovesNothing) {
  EXPECT_EQ(remove_abandoned_temporaries(root / "absent"), 0u);
}

}  // namespace
}  // namespace wc::store
