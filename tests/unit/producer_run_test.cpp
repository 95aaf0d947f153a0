#include "producer/producer_run.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "producer/request_keys.h"

namespace wc::producer {
namespace {

namespace fs = std::filesystem;

/// Remembers what was put; can pretend some keys exist or fail after some puts.
class RecordingSink final : public RequestSink {
 public:
  util::Expected<PutOutcome, std::string> put(const std::string& key, const std::string& body,
                                              bool overwrite) override {
    if (fail_after >= 0 && static_cast<int>(puts.size()) >= fail_after) {
      return util::Unexpected(std::string("disk on fire"));
    }
    if (!overwrite && taken.count(key)) return PutOutcome::key_taken;
    puts.emplace_back(key, body);
    overwrites.push_back(overwrite);
    return PutOutcome::stored;
  }
  std::string where() const override { return "memory"; }

  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<bool> overwrites;
  std::set<std::string> taken;
  int fail_after = -1;
};

GenerateOptions options_for(std::uint64_t count, std::int64_t start_ms) {
  GenerateOptions options;
  options.count = count;
  options.seed = 11;
  options.start_ms = start_ms;
  return options;
}

TEST(ProducerRun, GeneratesTheRequestedCountUnderIncreasingKeys) {
  RecordingSink sink;
  const auto summary = generate_requests(sink, options_for(200, 1'000'000'000'000), {});
  ASSERT_TRUE(summary);
  ASSERT_EQ(sink.puts.size(), 200U);
  EXPECT_EQ(summary->written, 200U);
  EXPECT_EQ(summary->creates + summary->updates + summary->deletes, 200U);
  EXPECT_EQ(sink.puts.front().first, "1000000000000");
  for (std::size_t i = 1; i < sink.puts.size(); ++i) {
    ASSERT_LT(sink.puts[i - 1].first, sink.puts[i].first);
    ASSERT_TRUE(parse_key(sink.puts[i].first));
  }
  EXPECT_EQ(summary->first_key, sink.puts.front().first);
  EXPECT_EQ(summary->last_key, sink.puts.back().first);
  for (bool overwrite : sink.overwrites) EXPECT_FALSE(overwrite);
}

TEST(ProducerRun, ExistingKeysAreSkippedNotOverwritten) {
  RecordingSink sink;
  sink.taken = {"1000000000000", "1000000000001"};
  const auto summary = generate_requests(sink, options_for(3, 1'000'000'000'000), {});
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->keys_taken, 2U);
  ASSERT_EQ(sink.puts.size(), 3U);
  EXPECT_GT(sink.puts.front().first, "1000000000001");
}

TEST(ProducerRun, AWriteErrorStopsTheRunAndKeepsTheCount) {
  RecordingSink sink;
  sink.fail_after = 5;
  const auto summary = generate_requests(sink, options_for(50, 1'000'000'000'000), {});
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().message, "disk on fire");
  EXPECT_EQ(summary.error().summary.written, 5U);
}

TEST(ProducerRun, AStopRequestEndsTheRunBeforeTheNextRequest) {
  RecordingSink sink;
  std::atomic<bool> stop{true};
  const auto summary = generate_requests(sink, options_for(50, 1'000'000'000'000), {0, &stop});
  ASSERT_TRUE(summary);
  EXPECT_TRUE(summary->interrupted);
  EXPECT_TRUE(sink.puts.empty());
}

TEST(ProducerRun, RateSpacesTheRequests) {
  RecordingSink sink;
  const auto summary = generate_requests(sink, options_for(5, 1'000'000'000'000), {50, nullptr});
  ASSERT_TRUE(summary);
  // Five requests at 50/s: the last is due 80 ms after the first.
  EXPECT_GE(summary->elapsed, std::chrono::milliseconds(75));
}

TEST(ProducerRun, CopyWritesFilesInNameOrderUnderTheirBareKeys) {
  const fs::path dir =
      fs::temp_directory_path() /
      ("producer_copy_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::map<std::string, std::string> files = {
      {"1615728964575.json",
       R"({"type":"delete","requestId":"r2","widgetId":"w","owner":"Sue Smith"})"},
      {"1615728964574.json",
       R"({"type":"create","requestId":"r1","widgetId":"w","owner":"Sue Smith"})"},
      {"1615728964576.json", ""},
      {".1615728964577.json.tmp", "half-written"},
  };
  for (const auto& [name, body] : files) std::ofstream(dir / name) << body;

  RecordingSink sink;
  const auto summary = copy_requests(sink, dir, {});
  fs::remove_all(dir);
  ASSERT_TRUE(summary) << summary.error().message;
  ASSERT_EQ(sink.puts.size(), 3U);
  EXPECT_EQ(sink.puts[0].first, "1615728964574");
  EXPECT_EQ(sink.puts[0].second, files.at("1615728964574.json"));
  EXPECT_EQ(sink.puts[1].first, "1615728964575");
  EXPECT_EQ(sink.puts[2].first, "1615728964576");
  EXPECT_EQ(sink.puts[2].second, "");
  EXPECT_EQ(summary->creates, 1U);
  EXPECT_EQ(summary->deletes, 1U);
  EXPECT_EQ(summary->invalid, 1U);
  for (bool overwrite : sink.overwrites) EXPECT_TRUE(overwrite);
}

TEST(ProducerRun, CopyFromAMissingDirectoryIsAnErrorNamingIt) {
  RecordingSink sink;
  const auto summary = copy_requests(sink, "/nonexistent/requests", {});
  ASSERT_FALSE(summary);
  EXPECT_NE(summary.error().message.find("/nonexistent/requests"), std::string::npos);
}

}  // namespace
}  // namespace wc::producer
