// The pipeline checks each request's lease immediately before its store call: a request whose
// lease is lost, or has too little time left, is neither applied nor removed but given back,
// and so are the later requests of its widget (which must not overtake it); other widgets go
// on.

#include <gtest/gtest.h>

#include "consumer/consumer.h"
#include "memory_backends.h"
#include "model/widget_json.h"
#include "store/document_widget_store.h"

namespace wc::consumer {
namespace {

using namespace std::chrono_literals;
using source::Lease;
using source::LeaseClock;

using testing_support::create;
using testing_support::update;

struct PipelineLease : ::testing::Test {
  testing_support::MemorySource source;
  std::map<std::string, std::string> documents;
  std::deque<store::StoreErrorKind> failures;
  testing_support::MemoryDeadLetters dead_letters;
  std::vector<std::string> events;
  std::unique_ptr<store::DocumentWidgetStore> store;

  void SetUp() override {
    auto backend =
        std::make_unique<testing_support::MemoryDocuments>(documents, failures, source.mutex);
    backend->events = &events;
    source.events = &events;
    store = std::make_unique<store::DocumentWidgetStore>(std::move(backend));
  }
  RunResult run() {
    StopFlag stop;
    ConsumerOptions options;
    options.idle_timeout = 100ms;
    options.progress_interval = 0ms;
    options.concurrency = 4;
    return Consumer(source, *store, dead_letters, options, stop).run();
  }
  std::vector<std::string> applied() const {
    std::vector<std::string> out;
    for (const auto& event : events) {
      if (event.rfind("apply ", 0) == 0) out.push_back(event.substr(6));
    }
    return out;
  }
};

TEST_F(PipelineLease, LostLeaseGivesBackTheRequestAndTheLaterOnesOfItsWidget) {
  source.requests = {{"k1", create("w", "one")},
                     {"k2", update("w", "two")},
                     {"k3", update("w", "three")},
                     {"k4", create("other", "four")}};
  Lease lost = Lease::until(LeaseClock::now() + 60s, 60s);
  lost.lose();
  source.lease_for["k2"] = lost;
  auto result = run();

  EXPECT_EQ(result.reason, StopReason::idle_timeout);
  auto done = applied();
  std::sort(done.begin(), done.end());
  EXPECT_EQ(done, (std::vector<std::string>{"four", "one"}));
  EXPECT_EQ(source.removed.size(), 2u);
  EXPECT_TRUE(source.requests.count("k2") && source.requests.count("k3"))
      << "neither applied nor removed";
  std::sort(source.given_back.begin(), source.given_back.end());
  EXPECT_EQ(source.given_back, (std::vector<std::string>{"k2", "k3"}));
  EXPECT_TRUE(dead_letters.letters.empty());
}

TEST_F(PipelineLease, LeaseWithLessThanAQuarterTermLeftIsNotUsedForAStoreCall) {
  source.requests = {{"k1", create("w", "one")}};
  source.lease_for["k1"] = Lease::until(LeaseClock::now() + 10s, 60s);
  run();
  EXPECT_TRUE(applied().empty());
  EXPECT_EQ(source.given_back, std::vector<std::string>{"k1"});
}

TEST_F(PipelineLease, LeaseWithTimeLeftIsAppliedAndRemoved) {
  source.requests = {{"k1", create("w", "one")}};
  source.lease_for["k1"] = Lease::until(LeaseClock::now() + 60s, 60s);
  run();
  EXPECT_EQ(applied(), std::vector<std::string>{"one"});
  EXPECT_EQ(source.removed, std::vector<std::string>{"k1"});
}

}  // namespace
}  // namespace wc::consumer
