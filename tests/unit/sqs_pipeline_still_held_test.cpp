// The consumer asks the source just before applying a request whether it is still this
// consumer's (RequestSource::still_held): a request the source has given up is skipped,
// neither applied nor removed, and the requests after it go on.

#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "consumer/consumer.h"

namespace wc::consumer {
namespace {

using source::SourceError;
using source::SourceRequest;

std::string update(const std::string& id, const std::string& label) {
  return R"({"type":"update","requestId":"r","widgetId":")" + id +
         R"(","owner":"Sue Smith","label":")" + label + R"("})";
}

/// Hands out one batch once; `given_up` keys are no longer held when asked.
class OneBatchSource : public source::RequestSource {
 public:
  std::vector<SourceRequest> batch;
  std::set<std::string> given_up;
  std::vector<std::string> removed;

  std::string describe() const override { return "one-batch source"; }
  util::Expected<void, SourceError> check() override { return {}; }
  util::Expected<std::vector<SourceRequest>, SourceError> poll(std::size_t) override {
    std::lock_guard lock(mutex_);
    return std::exchange(batch, {});
  }
  util::Expected<std::optional<std::string>, SourceError> read(const SourceRequest& r) override {
    return r.body;
  }
  bool still_held(const SourceRequest& request) override {
    return given_up.count(request.key) == 0;
  }
  util::Expected<void, SourceError> remove(const SourceRequest& request) override {
    std::lock_guard lock(mutex_);
    removed.push_back(request.key);
    return {};
  }

 private:
  std::mutex mutex_;
};

/// Records the label of every update applied, in order.
class RecordingStore : public store::WidgetStore {
 public:
  std::vector<std::string> applied;
  std::string describe() const override { return "recording store"; }
  util::Expected<void, store::StoreError> check() override { return {}; }
  util::Expected<store::Outcome, store::StoreError> apply(
      const model::WidgetRequest& request) override {
    std::lock_guard lock(mutex_);
    applied.push_back(request.label.value_or(""));
    return store::Outcome::updated;
  }

 private:
  std::mutex mutex_;
};

class NoDeadLetters : public store::DeadLetterSink {
 public:
  std::string describe() const override { return "no dead letters"; }
  util::Expected<void, std::string> check() override { return {}; }
  util::Expected<void, std::string> keep(const store::DeadLetter&) override { return {}; }
};

TEST(PipelineStillHeld, GivenUpRequestIsNeitherAppliedNorRemovedAndTheRestGoOn) {
  OneBatchSource source;
  source.batch = {{"k1", 0, update("w", "one"), "r1"},
                  {"k2", 0, update("w", "two"), "r2"},
                  {"k3", 0, update("w", "three"), "r3"}};
  source.given_up = {"k2"};
  RecordingStore store;
  NoDeadLetters dead_letters;
  StopFlag stop;
  ConsumerOptions options;
  options.idle_timeout = std::chrono::milliseconds(100);
  options.progress_interval = std::chrono::milliseconds(0);
  auto result = Consumer(source, store, dead_letters, options, stop).run();

  EXPECT_EQ(result.reason, StopReason::idle_timeout);
  EXPECT_EQ(store.applied, (std::vector<std::string>{"one", "three"}));
  EXPECT_EQ(source.removed, (std::vector<std::string>{"k1", "k3"}));
}

}  // namespace
}  // namespace wc::consumer
