#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "producer/directory_sink.h"

namespace wc::producer {
namespace {

namespace fs = std::filesystem;

class ProducerDirectorySink : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("producer_sink_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    return body.str();
  }
  std::size_t entries() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(root_ / "requests"), fs::directory_iterator()));
  }

  fs::path root_;
};

TEST_F(ProducerDirectorySink, CreatesTheDirectoryAndWritesBareKeys) {
  auto sink = DirectorySink::open(root_ / "requests");
  ASSERT_TRUE(sink) << sink.error();
  auto stored = (*sink)->put("1615728964574", R"({"type":"create"})", false);
  ASSERT_TRUE(stored) << stored.error();
  EXPECT_EQ(*stored, PutOutcome::stored);
  EXPECT_EQ(read(root_ / "requests" / "1615728964574"), R"({"type":"create"})");
  EXPECT_EQ(entries(), 1U);  // no temporary file left behind
}

TEST_F(ProducerDirectorySink, ExistingKeyIsNotOverwrittenUnlessAsked) {
  auto sink = DirectorySink::open(root_ / "requests");
  ASSERT_TRUE(sink);
  ASSERT_TRUE((*sink)->put("1615728964574", "first", false));
  auto second = (*sink)->put("1615728964574", "second", false);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, PutOutcome::key_taken);
  EXPECT_EQ(read(root_ / "requests" / "1615728964574"), "first");
  EXPECT_EQ(entries(), 1U);

  auto replaced = (*sink)->put("1615728964574", "third", true);
  ASSERT_TRUE(replaced);
  EXPECT_EQ(*replaced, PutOutcome::stored);
  EXPECT_EQ(read(root_ / "requests" / "1615728964574"), "third");
  EXPECT_EQ(entries(), 1U);
}

TEST_F(ProducerDirectorySink, ADirectoryThatCannotBeCreatedIsAnErrorNamingIt) {
  fs::create_directories(root_);
  std::ofstream(root_ / "file") << "x";
  auto sink = DirectorySink::open(root_ / "file" / "requests");
  ASSERT_FALSE(sink);
  EXPECT_NE(sink.error().find((root_ / "file" / "requests").string()), std::string::npos)
      << sink.error();
}

}  // namespace
}  // namespace wc::producer
