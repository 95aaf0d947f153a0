// RemovalBatcher: requests are removed in batches, but a lane's request is always gone before
// the lane may go on; removal is retried here (and only here) under the outage rule; a lost
// lease stops the lane without stopping the run.

#include "consumer/removal_batcher.h"

#include <gtest/gtest.h>

#include <thread>

#include "memory_backends.h"

namespace wc::consumer {
namespace {

using namespace std::chrono_literals;
using testing_support::MemorySource;

source::LeasedRequest leased(const std::string& key) {
  return source::LeasedRequest{key, "{}", key, source::Lease{}, {}};
}

struct RemovalBatcherTest : ::testing::Test {
  MemorySource source;
  Outage outage{200ms};
  StopFlag halt;
  std::vector<std::string> lost;
  RemovalBatcher batcher{
      source, 3,    1h,
      outage, halt, [this](const source::NotRemoved& entry) {
                           lost.push_back(entry.request.key); }};
  void SetUp() override {
    for (const char* key : {"a", "b", "c", "d"}) source.requests[key] = "{}";
  }
};

TEST_F(RemovalBatcherTest, QueuesUntilTheBatchIsFullThenRemovesItInOneCall) {
  batcher.add(leased("a"), "w1");
  batcher.add(leased("b"), "w2");
  EXPECT_TRUE(source.removed.empty());
  EXPECT_EQ(batcher.waiting(), 2u);
  batcher.add(leased("c"), "w3");
  EXPECT_EQ(source.removed, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(batcher.waiting(), 0u);
}

TEST_F(RemovalBatcherTest, EnsureRemovedFlushesWhatTheLaneWaitsFor) {
  batcher.add(leased("a"), "w1");
  EXPECT_EQ(batcher.ensure_removed("other"), RemovalBatcher::Removed::yes);
  EXPECT_TRUE(source.removed.empty()) << "nothing of that lane waits: no call";
  EXPECT_EQ(batcher.ensure_removed("w1"), RemovalBatcher::Removed::yes);
  EXPECT_EQ(source.removed, std::vector<std::string>{"a"});
}

TEST_F(RemovalBatcherTest, TransientFailureIsRetriedUntilTheSourceAnswers) {
  source.fail_remove = true;
  batcher.add(leased("a"), "w1");
  std::thread mend([&] {
    std::this_thread::sleep_for(150ms);
    std::lock_guard lock(source.mutex);
    source.fail_remove = false;
  });
  EXPECT_EQ(batcher.ensure_removed("w1"), RemovalBatcher::Removed::yes);
  mend.join();
  EXPECT_EQ(source.removed, std::vector<std::string>{"a"});
  EXPECT_FALSE(batcher.failure());
}

TEST_F(RemovalBatcherTest, TransientFailurePastTheOutageTimeoutFailsTheRun) {
  source.fail_remove = true;
  batcher.add(leased("a"), "w1");
  EXPECT_EQ(batcher.ensure_removed("w1"), RemovalBatcher::Removed::failed);
  ASSERT_TRUE(batcher.failure());
  EXPECT_NE(batcher.failure()->find("a: applied but could not be removed"), std::string::npos);
}

TEST_F(RemovalBatcherTest, FatalFailureFailsAtOnce) {
  source.fatal_remove = true;
  batcher.add(leased("a"), "w1");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(batcher.ensure_removed("w1"), RemovalBatcher::Removed::failed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 100ms);
}

TEST_F(RemovalBatcherTest, AfterAStopAFailedRemovalIsLeftNotRetried) {
  source.fail_remove = true;
  halt.request_stop();
  batcher.add(leased("a"), "w1");
  batcher.flush();
  EXPECT_FALSE(batcher.failure()) << "the request stays in the source; a replay is harmless";
  EXPECT_EQ(source.requests.count("a"), 1u);
}

/// Reports one key's removal as a lost lease.
struct LosingSource : MemorySource {
  util::Expected<std::vector<source::NotRemoved>, source::SourceError> acknowledge(
      const std::vector<source::LeasedRequest>& batch) override {
    std::vector<source::LeasedRequest> rest;
    std::vector<source::NotRemoved> lost;
    for (const auto& request : batch) {
      if (request.key == "b") {
        lost.push_back({request, {"lease lost", false}, true});
      } else {
        rest.push_back(request);
      }
    }
    auto removed = MemorySource::acknowledge(rest);
    for (auto& entry : lost) removed->push_back(entry);
    return removed;
  }
};

TEST(RemovalBatcherLease, LostLeaseStopsItsLaneOnceAndIsNotAFailure) {
  LosingSource source;
  source.requests = {{"a", "{}"}, {"b", "{}"}};
  Outage outage(1s);
  StopFlag halt;
  std::vector<std::string> lost;
  RemovalBatcher batcher(source, 10, 1h, outage, halt, [&](const source::NotRemoved& entry) {
    lost.push_back(entry.request.key);
  });
  batcher.add(leased("a"), "w1");
  batcher.add(leased("b"), "w2");
  EXPECT_EQ(batcher.ensure_removed("w2"), RemovalBatcher::Removed::lease_lost);
  EXPECT_EQ(batcher.ensure_removed("w1"), RemovalBatcher::Removed::yes);
  EXPECT_EQ(batcher.ensure_removed("w2"), RemovalBatcher::Removed::yes) << "told once";
  EXPECT_EQ(lost, std::vector<std::string>{"b"});
  EXPECT_FALSE(batcher.failure());
}

TEST(RemovalBatcherConcurrency, SeveralRemovalsGoAtOnce) {
  // A queue deletes 10 messages per call: with such batches, lanes finishing together must
  // not wait for each other's calls (one removal at a time capped a queue at 10 per round
  // trip).
  MemorySource source;
  source.round_trip = 100ms;
  const std::vector<std::string> keys = {"a", "b", "c", "d"};
  for (const auto& key : keys) source.requests[key] = "{}";
  Outage outage(1s);
  StopFlag halt;
  RemovalBatcher batcher(source, 1, 1h, outage, halt, nullptr);
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> lanes;
  for (const auto& key : keys) {
    lanes.emplace_back([&batcher, key] { batcher.add(leased(key), "w" + key); });
  }
  for (auto& lane : lanes) lane.join();
  EXPECT_EQ(source.removed.size(), keys.size());
  EXPECT_GE(source.most_acknowledging.load(), 2);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 350ms);
}

TEST(RemovalBatcherConcurrency, FlushAllReturnsOnceNoRemovalIsUnderWay) {
  MemorySource source;
  source.round_trip = 100ms;
  for (const char* key : {"a", "b", "c"}) source.requests[key] = "{}";
  Outage outage(1s);
  StopFlag halt;
  RemovalBatcher batcher(source, 2, 1h, outage, halt, nullptr);
  std::thread lane([&batcher] {
    batcher.add(leased("a"), "w1");
    batcher.add(leased("b"), "w2");  // the batch is full: removed on this thread
  });
  while (source.acknowledging.load() == 0) std::this_thread::sleep_for(1ms);
  batcher.add(leased("c"), "w3");
  batcher.flush_all();
  EXPECT_EQ(source.removed.size(), 3u) << "a and b were being removed on the other thread";
  EXPECT_EQ(batcher.waiting(), 0u);
  lane.join();
}

}  // namespace
}  // namespace wc::consumer
