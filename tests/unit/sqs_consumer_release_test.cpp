// The consumer loop gives back the requests of a polled batch it will not work on (a stop, a
// fatal error), so that a queue hands them to other consumers at once.

#include <gtest/gtest.h>

#include "consumer/consumer.h"

namespace wc::consumer {
namespace {

using source::SourceError;
using source::SourceRequest;

std::string create(const std::string& id) {
  return R"({"type":"create","requestId":"r","widgetId":")" + id + R"(","owner":"Sue Smith"})";
}

/// Hands out one batch of three requests, and stops the run when the first is removed.
class BatchSource : public source::RequestSource {
 public:
  StopFlag* stop_on_first_remove = nullptr;
  std::vector<std::string> removed;
  std::vector<std::string> released;

  std::string describe() const override { return "batch source"; }
  util::Expected<void, SourceError> check() override { return {}; }
  util::Expected<std::vector<SourceRequest>, SourceError> poll(std::size_t) override {
    if (polled_) return std::vector<SourceRequest>{};
    polled_ = true;
    return std::vector<SourceRequest>{
        {"k1", 0, create("a"), "r1"}, {"k2", 0, create("b"), "r2"}, {"k3", 0, create("c"), "r3"}};
  }
  util::Expected<std::optional<std::string>, SourceError> read(const SourceRequest& r) override {
    return r.body;
  }
  util::Expected<void, SourceError> remove(const SourceRequest& request) override {
    removed.push_back(request.key);
    if (stop_on_first_remove) stop_on_first_remove->request_stop();
    return {};
  }
  void release(const std::vector<SourceRequest>& requests) override {
    for (const auto& request : requests) released.push_back(request.key);
  }

 private:
  bool polled_ = false;
};

/// Accepts the first `good` requests, then fails fatally.
class CountingStore : public store::WidgetStore {
 public:
  int good = 1000;
  std::string describe() const override { return "counting store"; }
  util::Expected<void, store::StoreError> check() override { return {}; }
  util::Expected<store::Outcome, store::StoreError> apply(const model::WidgetRequest&) override {
    if (good-- > 0) return store::Outcome::created;
    return util::Unexpected(store::StoreError{store::StoreErrorKind::fatal, "store is gone"});
  }
};

class NoDeadLetters : public store::DeadLetterSink {
 public:
  std::string describe() const override { return "no dead letters"; }
  util::Expected<void, std::string> check() override { return {}; }
  util::Expected<void, std::string> keep(const store::DeadLetter&) override { return {}; }
};

RunResult run(BatchSource& source, CountingStore& store, StopFlag& stop) {
  NoDeadLetters dead_letters;
  ConsumerOptions options;
  options.idle_timeout = std::chrono::milliseconds(20);
  return Consumer(source, store, dead_letters, options, stop).run();
}

TEST(ConsumerRelease, StopMidBatchReleasesTheRequestsNotStarted) {
  BatchSource source;
  CountingStore store;
  StopFlag stop;
  source.stop_on_first_remove = &stop;
  auto result = run(source, store, stop);
  EXPECT_EQ(result.reason, StopReason::stop_requested);
  EXPECT_EQ(source.removed, std::vector<std::string>{"k1"});
  EXPECT_EQ(source.released, (std::vector<std::string>{"k2", "k3"}));
}

TEST(ConsumerRelease, FatalErrorReleasesTheFailedRequestAndThoseAfterIt) {
  BatchSource source;
  CountingStore store;
  store.good = 1;
  StopFlag stop;
  auto result = run(source, store, stop);
  EXPECT_EQ(result.reason, StopReason::fatal_error);
  EXPECT_EQ(source.removed, std::vector<std::string>{"k1"});
  EXPECT_EQ(source.released, (std::vector<std::string>{"k2", "k3"}));
}

TEST(ConsumerRelease, FinishedBatchReleasesNothing) {
  BatchSource source;
  CountingStore store;
  StopFlag stop;
  auto result = run(source, store, stop);
  EXPECT_EQ(result.reason, StopReason::idle_timeout);
  EXPECT_EQ(source.removed.size(), 3u);
  EXPECT_TRUE(source.released.empty());
}

}  // namespace
}  // namespace wc::consumer
