#include "app/place_overlap.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "app/command_line.h"

namespace wc::app {
namespace {

namespace fs = std::filesystem;

class PlaceOverlap : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("wc-overlap-" + std::to_string(std::random_device{}()));
    fs::create_directories(root_ / "real");
    fs::create_symlink(root_ / "real", root_ / "link");
  }
  void TearDown() override { fs::remove_all(root_); }

  /// The one usage-error line for `args`, or "" when they were accepted.
  std::string problem(std::vector<std::string> args) const {
    for (auto& arg : args) {
      if (arg.starts_with("@")) arg = (root_ / arg.substr(1)).string();
    }
    auto parsed = parse_command_line(args);
    if (auto* exit = std::get_if<ParseExit>(&parsed)) {
      EXPECT_EQ(exit->exit_code, 2);
      EXPECT_EQ(exit->message.find('\n'), std::string::npos);
      return exit->message;
    }
    return "";
  }

  fs::path root_;
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(PlaceOverlap, StoreBucketThatIsTheRequestBucketIsRefusedNamingBothFlags) {
  auto line = problem({"-ss", "S3", "-rb", "b", "-wb", "b"});
  EXPECT_TRUE(has(line, "-rb/--source 'b' and -wb/--target 'b' are the same bucket")) << line;
}

TEST_F(PlaceOverlap, DeadLetterBucketThatIsTheRequestOrStoreBucketIsRefused) {
  EXPECT_TRUE(has(problem({"-rb", "b", "-wb", "w", "--dead-letter-bucket", "b"}),
                  "--dead-letter-bucket 'b'"));
  EXPECT_TRUE(has(problem({"-rb", "r", "-wb", "w", "--dead-letter-bucket", "w"}),
                  "-wb/--target 'w' and --dead-letter-bucket 'w'"));
}

TEST_F(PlaceOverlap, AQueueNameAndAUrlNamingTheSameQueueAreTheSameQueue) {
  auto line = problem({"-rq", "http://127.0.0.1:4566/000000000000/jobs.fifo", "-wb", "w",
                       "--dead-letter-queue", "jobs.fifo"});
  EXPECT_TRUE(has(line, "name the same queue 'jobs.fifo'")) << line;
  EXPECT_EQ(problem({"-rq", "jobs", "-wb", "w", "--dead-letter-queue", "jobs-dead"}), "");
}

TEST_F(PlaceOverlap, TheSameDirectoryThroughASymlinkIsRefused) {
  auto line = problem({"--requests-dir", "@real", "--widgets-dir", "@link"});
  EXPECT_TRUE(has(line, "are the same directory")) << line;
  EXPECT_TRUE(has(line, "--requests-dir")) << line;
  EXPECT_TRUE(has(line, "--widgets-dir")) << line;
}

TEST_F(PlaceOverlap, ADirectoryInsideAnotherIsRefusedEvenWhenItDoesNotExistYet) {
  auto line = problem({"--requests-dir", "@real", "--widgets-dir", "@link/not/yet"});
  EXPECT_TRUE(has(line, "overlap: " + (root_ / "real/not/yet").string() + " is inside " +
                            (root_ / "real").string()))
      << line;
  line = problem({"--requests-dir", "@link/a/b", "--widgets-dir", "@real"});
  EXPECT_TRUE(has(line, (root_ / "real/a/b").string() + " is inside")) << line;
}

TEST_F(PlaceOverlap, TheDefaultDeadLetterAndLogDirectoriesCountToo) {
  auto line = problem({"--requests-dir", ".", "--widgets-dir", "@real"});
  EXPECT_TRUE(has(line, "--dead-letter-dir 'dead-letters' (the default)") ||
              has(line, "--log-dir 'logs' (the default)"))
      << line;
  line = problem({"--requests-dir", "@real", "--widgets-dir", "@w", "--dead-letter-dir", "@d",
                  "--log-dir", "@link"});
  EXPECT_TRUE(has(line, "--requests-dir")) << line;
  EXPECT_TRUE(has(line, "--log-dir")) << line;
}

TEST_F(PlaceOverlap, SiblingDirectoriesWithACommonPrefixDoNotOverlap) {
  EXPECT_EQ(problem({"--requests-dir", "@req", "--widgets-dir", "@requests", "--dead-letter-dir",
                     "@req-dead", "--log-dir", "@req.logs"}),
            "");
}

TEST_F(PlaceOverlap, DotDotIsResolvedAfterTheLinkItFollows) {
  // link/.. is the parent of real's target (root_), not of the link's own folder.
  fs::create_directories(root_ / "deep/inside");
  fs::create_symlink(root_ / "deep/inside", root_ / "shortcut");
  EXPECT_EQ(resolve_directory(root_ / "shortcut/../x"), root_ / "deep/x");
  EXPECT_EQ(resolve_directory(root_ / "missing/../real/./y"), root_ / "real/y");
}

TEST_F(PlaceOverlap, ALinkToADirectoryNotMadeYetIsFollowed) {
  fs::create_symlink(root_ / "real/later", root_ / "dangling");
  fs::create_symlink("real/relative", root_ / "relative-link");
  EXPECT_EQ(resolve_directory(root_ / "dangling/x"), root_ / "real/later/x");
  EXPECT_EQ(resolve_directory(root_ / "relative-link"), root_ / "real/relative");
  auto line = problem({"--requests-dir", "@real", "--widgets-dir", "@dangling"});
  EXPECT_TRUE(has(line, "is inside")) << line;
}

TEST_F(PlaceOverlap, ALinkLoopEndsTheResolution) {
  fs::create_symlink(root_ / "loop-b", root_ / "loop-a");
  fs::create_symlink(root_ / "loop-a", root_ / "loop-b");
  EXPECT_FALSE(resolve_directory(root_ / "loop-a/x").empty());
}

TEST_F(PlaceOverlap, DifferentKindsNeverOverlap) {
  EXPECT_EQ(problem({"-rb", "same", "-dt", "same", "--dead-letter-queue", "same"}), "");
}

}  // namespace
}  // namespace wc::app
