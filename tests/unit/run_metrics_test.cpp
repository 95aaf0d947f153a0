// RunMetrics: requests in hand, readiness from the source's and the store's answers, liveness
// from the dispatch loop, the idle store probe, and how a consumer run feeds them.

#include "consumer/run_metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "consumer/consumer.h"
#include "consumer/store_probe.h"
#include "memory_backends.h"

namespace wc::consumer {
namespace {

using namespace std::chrono_literals;
using Clock = RunMetrics::Clock;
using source::SourceError;
using store::StoreError;
using store::StoreErrorKind;

util::Expected<int, StoreError> store_failure(StoreErrorKind kind, std::string message) {
  return util::Unexpected(StoreError{kind, std::move(message)});
}

RunMetrics& running(RunMetrics& metrics) {
  metrics.set_phase(Phase::running);
  return metrics;
}

TEST(RunMetrics, TrackedRequestsAreInFlightUntilLetGoAndTheOldestSetsTheAge) {
  RunMetrics metrics;
  const auto now = Clock::now();
  auto older = metrics.track(now - 3s);
  auto newer = metrics.track(now - 1s);
  EXPECT_EQ(metrics.in_flight(), 2u);
  EXPECT_EQ(metrics.oldest_age(now), 3s);
  older.reset();
  EXPECT_EQ(metrics.in_flight(), 1u);
  EXPECT_EQ(metrics.oldest_age(now), 1s);
  RunMetrics::Tracked moved = std::move(newer);
  EXPECT_EQ(metrics.in_flight(), 1u);
  moved = RunMetrics::Tracked();
  EXPECT_EQ(metrics.in_flight(), 0u);
  EXPECT_EQ(metrics.oldest_age(now), Clock::duration::zero());
}

TEST(RunMetrics, NotReadyWhileStartingOrStopping) {
  RunMetrics metrics;
  auto health = metrics.readiness(Clock::now());
  EXPECT_FALSE(health.ok);
  EXPECT_NE(health.reason.find("starting"), std::string::npos);
  metrics.set_phase(Phase::running);
  EXPECT_TRUE(metrics.readiness(Clock::now()).ok);
  metrics.set_phase(Phase::stopping);
  EXPECT_EQ(metrics.readiness(Clock::now()).reason, "stopping");
}

TEST(RunMetrics, StoreFailureMakesItNotReadyWithTheReasonUntilTheStoreAnswersAgain) {
  RunMetrics metrics;
  running(metrics);
  (void)metrics.store_call(
      [] { return store_failure(StoreErrorKind::transient, "S3 bucket 'w': ConnectionError"); });
  auto health = metrics.readiness(Clock::now());
  EXPECT_FALSE(health.ok);
  EXPECT_EQ(health.reason, "store: S3 bucket 'w': ConnectionError");
  (void)metrics.store_call([] { return util::Expected<int, StoreError>(1); });
  EXPECT_TRUE(metrics.readiness(Clock::now()).ok);
}

TEST(RunMetrics, StoreRefusingOneRequestStillAnswers) {
  RunMetrics metrics;
  running(metrics);
  (void)metrics.store_call([] { return store_failure(StoreErrorKind::request, "item too large"); });
  EXPECT_TRUE(metrics.readiness(Clock::now()).ok);
}

TEST(RunMetrics, SourceFailureMakesItNotReadyAndAnAnsweredPollIsRecorded) {
  RunMetrics metrics;
  running(metrics);
  EXPECT_EQ(metrics.source().last_answer_unix_seconds(), 0);
  (void)metrics.source_call([] {
    return util::Expected<int, SourceError>(util::Unexpected(SourceError{"queue 'q': Timeout"}));
  });
  EXPECT_EQ(metrics.readiness(Clock::now()).reason, "source: queue 'q': Timeout");
  (void)metrics.source_call([] { return util::Expected<int, SourceError>(0); });
  EXPECT_TRUE(metrics.readiness(Clock::now()).ok);
  EXPECT_GT(metrics.source().last_answer_unix_seconds(), 1.6e9);
}

TEST(PeerHealth, CallsWaitingWithoutAnyAnswerPastTheLimitAreNotReady) {
  PeerHealth peer("store");
  const auto start = Clock::now();
  peer.call_started(start);
  EXPECT_TRUE(peer.health(start + 59s, 60s).ok);
  auto stuck = peer.health(start + 61s, 60s);
  EXPECT_FALSE(stuck.ok);
  EXPECT_EQ(stuck.reason, "store: no answer for 61 s");
  peer.answered(start + 62s);  // another call answered meanwhile
  EXPECT_TRUE(peer.health(start + 63s, 60s).ok);
  peer.call_ended();
  EXPECT_FALSE(peer.busy());
}

TEST(RunMetrics, LivenessFailsOnlyWhenTheRunningLoopStalls) {
  RunMetrics metrics;
  const auto now = Clock::now();
  EXPECT_TRUE(metrics.liveness(now + 1h).ok);  // starting: the start checks may take a while
  metrics.set_phase(Phase::running);
  metrics.beat(now);
  EXPECT_TRUE(metrics.liveness(now + 9s).ok);
  auto stalled = metrics.liveness(now + 11s);
  EXPECT_FALSE(stalled.ok);
  EXPECT_EQ(stalled.reason, "the dispatch loop has not run for 11 s");
}

class ScriptedStore : public store::WidgetStore {
 public:
  std::atomic<bool> healthy{true};
  std::atomic<int> checks{0};
  std::function<void()> on_apply;

  std::string describe() const override { return "scripted store"; }
  util::Expected<void, StoreError> check() override {
    ++checks;
    if (healthy) return {};
    return util::Unexpected(StoreError{StoreErrorKind::transient, "scripted store is down"});
  }
  util::Expected<store::Outcome, StoreError> apply(const model::WidgetRequest&) override {
    if (on_apply) on_apply();
    return store::Outcome::created;
  }
};

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 3s) {
  const auto deadline = Clock::now() + limit;
  while (!predicate()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(StoreProbe, AQuietStoreIsCheckedSoReadinessFollowsItDownAndBackUp) {
  ScriptedStore store;
  RunMetrics metrics;
  running(metrics);
  StoreProbe probe(store, metrics, 50ms);
  store.healthy = false;
  ASSERT_TRUE(eventually([&] { return !metrics.readiness(Clock::now()).ok; }));
  EXPECT_EQ(metrics.readiness(Clock::now()).reason, "store: scripted store is down");
  store.healthy = true;
  ASSERT_TRUE(eventually([&] { return metrics.readiness(Clock::now()).ok; }));
}

TEST(StoreProbe, ABusyStoreIsNotProbed) {
  ScriptedStore store;
  RunMetrics metrics;
  std::atomic<bool> release{false};
  std::thread caller([&] {
    (void)metrics.store_call([&] {
      while (!release) std::this_thread::sleep_for(1ms);
      return util::Expected<int, StoreError>(1);
    });
  });
  const bool busy = eventually([&] { return metrics.store().busy(); });
  {
    StoreProbe probe(store, metrics, 20ms);
    std::this_thread::sleep_for(150ms);
  }
  release = true;
  caller.join();
  EXPECT_TRUE(busy);
  EXPECT_EQ(store.checks.load(), 0);
}

TEST(ConsumerMetrics, ARunCountsRequestsInFlightTimesAppliesAndRecordsPolls) {
  testing_support::MemorySource source;
  for (int i = 0; i < 20; ++i) {
    source.requests["k" + std::to_string(100 + i)] =
        R"({"type":"create","requestId":"r","widgetId":"w)" + std::to_string(i) +
        R"(","owner":"Sue Smith","label":"l"})";
  }
  ScriptedStore store;
  testing_support::MemoryDeadLetters dead_letters;
  RunMetrics metrics;
  std::atomic<std::size_t> most_in_flight{0};
  std::atomic<bool> ready_while_applying{true};
  store.on_apply = [&] {
    most_in_flight = std::max(most_in_flight.load(), metrics.in_flight());
    if (!metrics.readiness(Clock::now()).ok) ready_while_applying = false;
  };
  StopFlag stop;
  ConsumerOptions options;
  options.idle_timeout = 200ms;
  options.concurrency = 4;
  options.progress_interval = 0ms;
  options.metrics = &metrics;
  Consumer consumer(source, store, dead_letters, options, stop);
  auto result = consumer.run();
  EXPECT_EQ(result.reason, StopReason::idle_timeout);
  EXPECT_EQ(result.stats.count_of(FinalOutcome::created), 20u);
  EXPECT_GE(most_in_flight.load(), 1u);
  EXPECT_TRUE(ready_while_applying);
  EXPECT_EQ(metrics.in_flight(), 0u);
  EXPECT_EQ(metrics.apply_durations().snapshot().count, 20u);
  EXPECT_GT(metrics.source().last_answer_unix_seconds(), 1.6e9);
  EXPECT_EQ(metrics.phase(), Phase::stopping);
  EXPECT_EQ(&consumer.metrics(), &metrics);
}

}  // namespace
}  // namespace wc::consumer
