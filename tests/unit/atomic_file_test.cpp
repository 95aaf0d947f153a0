#include "store/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "store/contained_directory.h"

namespace wc::store {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public testing::Test {
 protected:
  fs::path root = fs::temp_directory_path() / ("wc-atomic-" + std::to_string(::getpid()));
  fs::path outside = fs::temp_directory_path() / ("wc-outside-" + std::to_string(::getpid()));
  void SetUp() override {
    fs::create_directories(root / "widgets" / "sue-smith");
    fs::create_directories(outside);
  }
  void TearDown() override {
    fs::remove_all(root);
    fs::remove_all(outside);
  }
  void touch(const fs::path& relative) { std::ofstream(root / relative) << "x"; }
  std::set<std::string> files(const fs::path& where) {
    std::set<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(where)) {
      if (entry.is_regular_file()) names.insert(fs::relative(entry.path(), where).string());
    }
    return names;
  }
  std::set<std::string> files() { return files(root); }
};

// A pid above any kernel's pid_max (2^22) belongs to no process.
constexpr const char* k_dead_pid = "999999999";

TEST_F(AtomicFileTest, WritesAndReadsBackWithoutLeavingATemporary) {
  ContainedDirectory directory(root);
  ASSERT_TRUE(directory.write("widgets/w1", "{}", WriteMode::replace));
  EXPECT_EQ(**directory.read("widgets/w1"), "{}");
  EXPECT_EQ(files(), std::set<std::string>{"widgets/w1"});
}

TEST_F(AtomicFileTest, MakesMissingDirectoriesOnTheWay) {
  ContainedDirectory directory(root / "new");
  ASSERT_TRUE(directory.write("widgets/ann/w1", "{}", WriteMode::replace));
  EXPECT_EQ(files(root / "new"), std::set<std::string>{"widgets/ann/w1"});
  EXPECT_EQ(*directory.read("widgets/bob/w1"), std::nullopt);
  EXPECT_FALSE(*directory.remove("widgets/bob/w1"));
  EXPECT_TRUE(*directory.remove("widgets/ann/w1"));
}

TEST_F(AtomicFileTest, OnlyIfAbsentKeepsTheExistingFile) {
  ContainedDirectory directory(root);
  ASSERT_TRUE(directory.write("w1", "first", WriteMode::replace));
  auto second = directory.write("w1", "second", WriteMode::only_if_absent);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, WriteResult::already_exists);
  EXPECT_EQ(**directory.read("w1"), "first");
  EXPECT_EQ(files(), std::set<std::string>{"w1"});
}

TEST_F(AtomicFileTest, ANameOf255BytesFitsWithItsTemporary) {
  ContainedDirectory directory(root);
  const std::string name(255, 'n');
  ASSERT_TRUE(directory.write(name, "x", WriteMode::replace));
  EXPECT_EQ(**directory.read(name), "x");
}

TEST_F(AtomicFileTest, ALinkedDirectoryInsideIsNotFollowedAndNothingIsWrittenOutside) {
  fs::create_directory_symlink(outside, root / "widgets" / "mallory");
  ContainedDirectory directory(root);
  auto written = directory.write("widgets/mallory/w1", "{}", WriteMode::replace);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().error_number, ELOOP);
  EXPECT_NE(written.error().message.find("widgets/mallory' is a symbolic link"), std::string::npos)
      << written.error().message;
  EXPECT_TRUE(fs::is_empty(outside));
  EXPECT_FALSE(directory.read("widgets/mallory/w1"));
  EXPECT_FALSE(directory.remove("widgets/mallory/w1"));
}

TEST_F(AtomicFileTest, ALinkAtTheFileIsReplacedNotWrittenThrough) {
  std::ofstream(outside / "secret") << "keep";
  fs::create_symlink(outside / "secret", root / "widgets" / "sue-smith" / "w1");
  ContainedDirectory directory(root);
  auto read = directory.read("widgets/sue-smith/w1");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().error_number, ELOOP);
  ASSERT_TRUE(directory.write("widgets/sue-smith/w1", "{}", WriteMode::replace));
  EXPECT_FALSE(fs::is_symlink(root / "widgets" / "sue-smith" / "w1"));
  std::ifstream secret(outside / "secret");
  std::string kept;
  secret >> kept;
  EXPECT_EQ(kept, "keep");
}

TEST_F(AtomicFileTest, AFifoIsNotReadAndDoesNotBlock) {
  ASSERT_EQ(::mkfifo((root / "fifo").c_str(), 0600), 0);
  ContainedDirectory directory(root);
  auto read = directory.read("fifo");
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("is not a regular file"), std::string::npos);
}

TEST_F(AtomicFileTest, KeysThatWouldLeaveAreRefused) {
  ContainedDirectory directory(root);
  for (const char* key : {"../x", "a/../../x", "/etc/x", "a//b", "a/./b", ""}) {
    auto written = directory.write(key, "x", WriteMode::replace);
    ASSERT_FALSE(written) << key;
    EXPECT_EQ(written.error().error_number, EINVAL) << key;
  }
}

TEST_F(AtomicFileTest, ARootRemovedWhileInUseIsReported) {
  ContainedDirectory directory(root / "gone");
  ASSERT_TRUE(directory.open());
  fs::remove_all(root / "gone");
  auto again = directory.open();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().error_number, ENOENT);
}

TEST_F(AtomicFileTest, TemporariesOfDeadWritersAreRemovedOthersKept) {
  const std::string live = std::to_string(::getpid());
  touch(fs::path("widgets") / "sue-smith" / (std::string(".w1.tmp.") + k_dead_pid + ".7"));
  touch(fs::path(".w2.tmp.") += std::string(k_dead_pid) + ".1");
  touch(fs::path("widgets") / (".w3.tmp." + live + ".2"));  // a write in progress
  touch(fs::path("widgets") / "sue-smith" / "w1");
  touch(".hidden");
  touch(fs::path(".w4.tmp.notapid.1"));
  std::ofstream(outside / (std::string(".w5.tmp.") + k_dead_pid + ".1")) << "x";
  fs::create_directory_symlink(outside, root / "widgets" / "link");

  ContainedDirectory directory(root);
  EXPECT_EQ(directory.remove_abandoned_temporaries(), 2u);
  EXPECT_EQ(files(),
            (std::set<std::string>{"widgets/.w3.tmp." + live + ".2", "widgets/sue-smith/w1",
                                   ".hidden", ".w4.tmp.notapid.1"}));
  EXPECT_EQ(files(outside).size(), 1u) << "a temporary outside, behind a link, was removed";
}

TEST_F(AtomicFileTest, ADirectoryThatCannotBeOpenedRemovesNothing) {
  EXPECT_EQ(remove_abandoned_temporaries(-1), 0u);
}

}  // namespace
}  // namespace wc::store
