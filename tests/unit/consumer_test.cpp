// The consumer loop over in-memory stand-ins for a source, a document backend and a
// dead-letter place: order, acknowledgement, dead letters and stops, without any I/O.

#include "consumer/consumer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "memory_backends.h"
#include "model/widget_json.h"
#include "store/document_widget_store.h"

namespace wc::consumer {
namespace {

using store::StoreErrorKind;
using testing_support::MemoryDeadLetters;
using testing_support::MemoryDocuments;
using testing_support::MemorySource;

using testing_support::create;
using testing_support::update;

// Every behaviour holds for the sequential consumer and the concurrent one alike.
class ConsumerTest : public testing::TestWithParam<std::size_t> {
 protected:
  MemorySource source;
  std::map<std::string, std::string> documents;
  std::deque<StoreErrorKind> failures;
  MemoryDocuments* backend = nullptr;
  std::unique_ptr<store::DocumentWidgetStore> store;
  MemoryDeadLetters dead_letters;
  StopFlag stop;

  void SetUp() override {
    auto docs = std::make_unique<MemoryDocuments>(documents, failures, source.mutex);
    backend = docs.get();
    store = std::make_unique<store::DocumentWidgetStore>(std::move(docs));
  }

  std::chrono::milliseconds outage_timeout{2'000};

  RunResult run() {
    ConsumerOptions options;
    options.idle_timeout = std::chrono::milliseconds(50);
    options.outage_timeout = outage_timeout;
    options.concurrency = GetParam();
    Consumer consumer(source, *store, dead_letters, options, stop);
    return consumer.run();
  }

  /// Four listers, polls of at most 10 (as a FIFO queue's consumer has).
  RunResult run_with_four_listers() {
    ConsumerOptions options;
    options.idle_timeout = std::chrono::milliseconds(300);
    options.concurrency = GetParam();
    options.pollers = 4;
    options.poll_batch = 10;
    Consumer consumer(source, *store, dead_letters, options, stop);
    return consumer.run();
  }

  std::optional<std::string> label_of(const std::string& id) {
    auto it = documents.find(model::widget_key("Sue Smith", id));
    if (it == documents.end()) return std::nullopt;
    return model::widget_from_json(it->second)->label;
  }
};

TEST_P(ConsumerTest, AppliesInKeyOrderAndRemovesEachRequest) {
  source.requests = {{"002", update("w1", "second")}, {"001", create("w1", "first")}};
  RunResult result = run();
  EXPECT_EQ(result.reason, StopReason::idle_timeout);
  EXPECT_EQ(label_of("w1"), "second");
  EXPECT_EQ(source.removed, (std::vector<std::string>{"001", "002"}));
  EXPECT_EQ(result.stats.count_of(FinalOutcome::created), 1u);
  EXPECT_EQ(result.stats.count_of(FinalOutcome::updated), 1u);
}

TEST_P(ConsumerTest, RejectedRequestIsDeadLetteredWithItsBytesAndRemoved) {
  source.requests = {{"001", "not json"}, {"002", create("w1", "ok")}};
  RunResult result = run();
  ASSERT_EQ(dead_letters.letters.size(), 1u);
  EXPECT_EQ(dead_letters.letters[0].source_key, "001");
  EXPECT_EQ(dead_letters.letters[0].body, "not json");
  EXPECT_FALSE(dead_letters.letters[0].reason.empty());
  EXPECT_TRUE(source.requests.empty());
  EXPECT_EQ(label_of("w1"), "ok");
  EXPECT_EQ(result.stats.count_of(FinalOutcome::rejected), 1u);
}

TEST_P(ConsumerTest, UpdateOfMissingWidgetCountsAsMissingAndIsRemoved) {
  source.requests = {{"001", update("nope", "x")}};
  RunResult result = run();
  EXPECT_EQ(result.stats.count_of(FinalOutcome::missing), 1u);
  EXPECT_TRUE(source.requests.empty());
  EXPECT_TRUE(documents.empty());
}

TEST_P(ConsumerTest, FatalStoreErrorStopsAndLeavesTheRequest) {
  source.requests = {{"001", create("w1", "a")}, {"002", create("w2", "b")}};
  failures = {StoreErrorKind::fatal};
  backend->failing_label = "a";  // at concurrency 32 both widgets' puts race for the failure
  RunResult result = run();
  EXPECT_EQ(result.reason, StopReason::fatal_error);
  EXPECT_NE(result.fatal_error.find("put refused"), std::string::npos);
  EXPECT_EQ(source.requests.count("001"), 1u) << "the request the store refused stays";
  if (GetParam() == 1) {
    EXPECT_EQ(source.requests.size(), 2u) << "sequential: nothing after it ran";
  }
  EXPECT_TRUE(dead_letters.letters.empty());
}

TEST_P(ConsumerTest, RequestRefusedByStoreIsDeadLetteredAndTheRestGoOn) {
  source.requests = {{"001", create("w1", "a")}, {"002", create("w2", "b")}};
  failures = {StoreErrorKind::request};
  backend->failing_label = "a";  // at concurrency 32 both widgets' puts race for the failure
  RunResult result = run();
  ASSERT_EQ(dead_letters.letters.size(), 1u);
  EXPECT_EQ(dead_letters.letters[0].source_key, "001");
  EXPECT_EQ(result.stats.count_of(FinalOutcome::dead_lettered), 1u);
  EXPECT_EQ(label_of("w2"), "b");
  EXPECT_TRUE(source.requests.empty());
}

TEST_P(ConsumerTest, TransientFailureIsRetriedThenSucceeds) {
  source.requests = {{"001", create("w1", "a")}};
  failures = {StoreErrorKind::transient};
  RunResult result = run();
  EXPECT_EQ(label_of("w1"), "a");
  EXPECT_TRUE(dead_letters.letters.empty());
  EXPECT_EQ(result.stats.count_of(FinalOutcome::created), 1u);
}

TEST_P(ConsumerTest, TransientFailureWithStoreDownStopsWithoutDeadLettering) {
  source.requests = {{"001", create("w1", "a")}};
  failures = {StoreErrorKind::transient};
  backend->healthy = false;
  RunResult result = run();
  EXPECT_EQ(result.reason, StopReason::fatal_error);
  EXPECT_TRUE(dead_letters.letters.empty());
  EXPECT_EQ(source.requests.size(), 1u);
}

TEST_P(ConsumerTest, RequestThatCannotBeRemovedStopsTheRun) {
  source.requests = {{"001", create("w1", "a")}, {"002", update("w1", "b")}};
  source.fatal_remove = true;
  RunResult result = run();
  EXPECT_EQ(result.reason, StopReason::fatal_error);
  EXPECT_NE(result.fatal_error.find("applied but could not be removed"), std::string::npos);
  EXPECT_EQ(label_of("w1"), "a") << "the later update must not run before 001 is removed";
}

TEST_P(ConsumerTest, RemovalFailingTransientlyIsRetriedUntilTheOutageTimeout) {
  source.requests = {{"001", create("w1", "a")}, {"002", update("w1", "b")}};
  source.fail_remove = true;
  outage_timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  RunResult result = run();
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, outage_timeout);
  // Polls keep answering meanwhile: they must not restart the removals' outage clock (they
  // did, and the run went on for minutes).
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_EQ(result.reason, StopReason::fatal_error);
  EXPECT_NE(result.fatal_error.find("unreachable for"), std::string::npos) << result.fatal_error;
  EXPECT_EQ(label_of("w1"), "a") << "the later update must not run before 001 is removed";
}

TEST_P(ConsumerTest, StoreThatDoesNotAnswerIsWaitedForAndTheRequestAppliedWhenItIsBack) {
  source.requests = {{"001", create("w1", "a")}};
  failures.assign(1000, StoreErrorKind::transient);
  backend->down_while_failing = true;
  std::thread mend([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    std::lock_guard lock(source.mutex);
    failures.clear();
  });
  RunResult result = run();
  mend.join();
  EXPECT_EQ(label_of("w1"), "a");
  EXPECT_TRUE(dead_letters.letters.empty()) << "an unreachable store is not the request's fault";
  EXPECT_EQ(result.stats.count_of(FinalOutcome::created), 1u);
}

TEST_P(ConsumerTest, StoreThatStaysUnreachableEndsTheRunAfterTheOutageTimeout) {
  source.requests = {{"001", create("w1", "a")}};
  failures.assign(1000, StoreErrorKind::transient);
  backend->down_while_failing = true;
  outage_timeout = std::chrono::milliseconds(300);
  RunResult result = run();
  EXPECT_EQ(result.reason, StopReason::fatal_error);
  EXPECT_NE(result.fatal_error.find("widget store memory store unreachable for"), std::string::npos)
      << result.fatal_error;
  EXPECT_TRUE(dead_letters.letters.empty());
  EXPECT_EQ(source.requests.size(), 1u);
}

TEST_P(ConsumerTest, SourceThatDoesNotAnswerCountsAsIdle) {
  source.transient_polls = 1000;
  RunResult result = run();
  EXPECT_EQ(result.reason, StopReason::idle_timeout);
}

TEST_P(ConsumerTest, SourceThatStaysUnreachableEndsTheRunAfterTheOutageTimeout) {
  source.transient_polls = 1000;
  outage_timeout = std::chrono::milliseconds(200);
  ConsumerOptions options;
  options.outage_timeout = outage_timeout;
  options.concurrency = GetParam();
  RunResult result = Consumer(source, *store, dead_letters, options, stop).run();
  EXPECT_EQ(result.reason, StopReason::fatal_error);
  EXPECT_NE(result.fatal_error.find("request source memory source unreachable for"),
            std::string::npos)
      << result.fatal_error;
}

TEST_P(ConsumerTest, ExhaustedRequestIsDeadLetteredWithItsReasonAndRemoved) {
  struct ExhaustingSource : MemorySource {
    util::Expected<std::vector<source::LeasedRequest>, source::SourceError> poll(
        std::size_t max, source::LeaseClock::time_point until) override {
      auto polled = MemorySource::poll(max, until);
      if (polled) {
        for (auto& request : *polled) {
          if (request.key == "001") {
            request.exhausted = "received 11 times";
            request.deliveries = 11;
          }
        }
      }
      return polled;
    }
  };
  ExhaustingSource exhausting;
  exhausting.requests = {{"001", create("w1", "poison")}, {"002", create("w2", "ok")}};
  ConsumerOptions options;
  options.idle_timeout = std::chrono::milliseconds(50);
  options.concurrency = GetParam();
  RunResult result = Consumer(exhausting, *store, dead_letters, options, stop).run();
  ASSERT_EQ(dead_letters.letters.size(), 1u);
  EXPECT_EQ(dead_letters.letters[0].source_key, "001");
  EXPECT_EQ(dead_letters.letters[0].reason, "received 11 times");
  EXPECT_EQ(dead_letters.letters[0].attempts, 11) << "each delivery counts as an attempt";
  EXPECT_FALSE(label_of("w1")) << "a given-up request is not applied";
  EXPECT_EQ(label_of("w2"), "ok");
  EXPECT_TRUE(exhausting.requests.empty());
  EXPECT_EQ(result.stats.count_of(FinalOutcome::dead_lettered), 1u);
}

TEST_P(ConsumerTest, FatalSourceErrorStops) {
  source.fatal_poll = true;
  RunResult result = run();
  EXPECT_EQ(result.reason, StopReason::fatal_error);
  EXPECT_NE(result.fatal_error.find("gone"), std::string::npos);
}

TEST_P(ConsumerTest, StopRequestedBeforeStartDoesNothing) {
  source.requests = {{"001", create("w1", "a")}};
  stop.request_stop();
  RunResult result = run();
  EXPECT_EQ(result.reason, StopReason::stop_requested);
  EXPECT_EQ(source.requests.size(), 1u);
}

TEST_P(ConsumerTest, CreateOfExistingWidgetIsReplaced) {
  source.requests = {{"001", create("w1", "a")}, {"002", create("w1", "b")}};
  RunResult result = run();
  EXPECT_EQ(result.stats.count_of(FinalOutcome::replaced), 1u);
  EXPECT_EQ(label_of("w1"), "b");
}

TEST_P(ConsumerTest, RequestsOfOneWidgetApplyInOrderEachRemovedBeforeTheNext) {
  std::vector<std::string> events;
  source.events = &events;
  backend->events = &events;
  constexpr int k_requests = 300;
  const std::vector<std::string> widgets = {"w0", "w1", "w2"};
  for (const auto& id : widgets) source.requests["a000" + id] = create(id, "a000" + id);
  char key[32];
  for (int i = 1; i < k_requests; ++i) {
    std::snprintf(key, sizeof key, "%03d", i);
    for (const auto& id : widgets)
      source.requests["x" + std::string(key) + id] = update(id, "x" + std::string(key) + id);
  }
  RunResult result = run();
  EXPECT_EQ(result.stats.total(), static_cast<std::uint64_t>(k_requests * 3));
  EXPECT_EQ(label_of("w0"), "x299w0");
  EXPECT_EQ(label_of("w2"), "x299w2");
  // Per widget: applies in key order, and each request removed before the next one applies.
  for (const auto& id : widgets) {
    std::string last_applied;
    bool last_removed = true;
    for (const auto& event : events) {
      bool apply = event.rfind("apply ", 0) == 0;
      std::string key_of_event = event.substr(apply ? 6 : 7);
      if (key_of_event.size() < id.size() ||
          key_of_event.compare(key_of_event.size() - id.size(), id.size(), id) != 0) {
        continue;
      }
      if (apply) {
        EXPECT_TRUE(last_removed) << key_of_event << " applied before " << last_applied
                                  << " was removed";
        EXPECT_LT(last_applied, key_of_event);
        last_applied = key_of_event;
        last_removed = false;
      } else if (key_of_event == last_applied) {
        last_removed = true;
      }
    }
  }
}

TEST_P(ConsumerTest, LastRequestInHandIsRemovedAtOnceNotAfterTheBatchDelay) {
  // Nothing else in hand to batch its removal with: waiting would only hold back what the
  // removal unlocks (a FIFO group's next message). It goes before the run's stop, which would
  // flush it too, would have come.
  source.requests["k1"] = create("w1", "one");
  ConsumerOptions options;
  options.idle_timeout = std::chrono::milliseconds(500);
  options.max_removal_delay = std::chrono::seconds(60);
  options.concurrency = GetParam();
  Consumer consumer(source, *store, dead_letters, options, stop);
  RunResult result = consumer.run();
  const auto stopped = std::chrono::steady_clock::now();
  EXPECT_EQ(result.reason, StopReason::idle_timeout);
  EXPECT_EQ(source.removed, std::vector<std::string>{"k1"});
  EXPECT_GE(stopped - source.last_removal, std::chrono::milliseconds(300))
      << "removed only as the run stopped";
}

TEST_P(ConsumerTest, SeveralListersPollABusySourceAtOnce) {
  // A queue hands out 10 messages per receive: one receive per round trip would cap the run.
  source.round_trip = std::chrono::milliseconds(20);
  char key[16];
  for (int i = 0; i < 200; ++i) {
    std::snprintf(key, sizeof key, "k%03d", i);
    source.requests[key] = create("w" + std::to_string(i), key);
  }
  RunResult result = run_with_four_listers();
  EXPECT_EQ(result.stats.total(), 200u);
  EXPECT_EQ(source.removed.size(), 200u);
  EXPECT_TRUE(source.requests.empty());
  EXPECT_GE(source.most_polling.load(), 2);
}

TEST_P(ConsumerTest, ExtraListersWaitWhileTheSourceIsNotBusy) {
  // A poll that got less than it asked for found the source nearly empty: the other listers
  // would only add empty receives (which a queue bills).
  source.round_trip = std::chrono::milliseconds(10);
  for (const char* id : {"w1", "w2", "w3"}) source.requests[std::string("k") + id] = create(id, id);
  RunResult result = run_with_four_listers();
  EXPECT_EQ(result.stats.total(), 3u);
  EXPECT_EQ(source.most_polling.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Concurrency, ConsumerTest, testing::Values(1, 32), [](const auto& info) {
  return "concurrency" + std::to_string(info.param);
});

}  // namespace
}  // namespace wc::consumer
