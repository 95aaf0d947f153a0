#pragma once
// In-memory stand-ins for a request source, a document backend and a dead-letter place, shared
// by the consumer's tests: no I/O, every failure injectable, every call recorded.

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "model/widget_json.h"
#include "source/request_source.h"
#include "store/dead_letter_sink.h"
#include "store/document_backend.h"

namespace wc::testing_support {

/// A request body of `type` ("create", "update", "delete") for widget `id` of Sue Smith.
inline std::string request_body(const std::string& type, const std::string& id,
                                const std::string& label) {
  return R"({"type":")" + type + R"(","requestId":"r","widgetId":")" + id +
         R"(","owner":"Sue Smith","label":")" + label + R"("})";
}
inline std::string create(const std::string& id, const std::string& label) {
  return request_body("create", id, label);
}
inline std::string update(const std::string& id, const std::string& label) {
  return request_body("update", id, label);
}

using source::LeasedRequest;
using source::NotRemoved;
using source::SourceError;
using store::StoreError;
using store::StoreErrorKind;

/// Requests in key order, handed out once each; leases never end unless a test sets
/// `lease_for`. Requests given back are handed out again only when `redeliver` is set (a
/// queue would hand them out again with a new lease; the fake keeps the old one).
class MemorySource : public source::RequestSource {
 public:
  std::map<std::string, std::string> requests;  // key -> body, in key order
  std::vector<std::string> removed;
  std::vector<std::string> given_back;
  bool fail_remove = false;   // acknowledge fails transiently
  bool fatal_remove = false;  // acknowledge fails for good
  bool fatal_poll = false;
  int transient_polls = 0;                         // the next polls fail transiently
  std::map<std::string, source::Lease> lease_for;  // key -> the lease to hand out with it
  std::vector<std::string>* events = nullptr;      // "apply LABEL" / "remove KEY", in order
  std::recursive_mutex mutex;  // shared with MemoryDocuments, which logs to `events` too
  int polls = 0;
  bool redeliver = false;
  std::chrono::steady_clock::time_point last_removal{};  // when a request was last removed
  // A round trip: each poll and each acknowledge takes this long (outside the lock), and the
  // most of each under way at once is counted.
  std::chrono::milliseconds round_trip{0};
  std::atomic<int> polling{0}, most_polling{0}, acknowledging{0}, most_acknowledging{0};

  std::string describe() const override { return "memory source"; }
  util::Expected<void, SourceError> open() override { return {}; }
  util::Expected<std::vector<LeasedRequest>, SourceError> poll(
      std::size_t max, source::LeaseClock::time_point) override {
    InFlight counted(polling, most_polling, round_trip);
    std::lock_guard lock(mutex);
    ++polls;
    if (fatal_poll) return util::Unexpected(SourceError{"memory source is gone", true});
    if (transient_polls > 0) {
      --transient_polls;
      return util::Unexpected(SourceError{"memory source does not answer", false});
    }
    std::vector<LeasedRequest> out;
    for (const auto& [key, body] : requests) {
      if (out.size() == max) break;
      if (handed_out_.count(key)) continue;
      handed_out_.insert(key);
      auto lease = lease_for.find(key);
      out.push_back(LeasedRequest{
          key, body, key, lease == lease_for.end() ? source::Lease{} : lease->second, {}});
    }
    return out;
  }
  util::Expected<std::vector<NotRemoved>, SourceError> acknowledge(
      const std::vector<LeasedRequest>& batch) override {
    InFlight counted(acknowledging, most_acknowledging, round_trip);
    std::lock_guard lock(mutex);
    std::vector<NotRemoved> failed;
    for (const auto& request : batch) {
      if (events) events->push_back("remove " + request.key);
      if (fail_remove || fatal_remove) {
        failed.push_back(NotRemoved{request, SourceError{"cannot remove", fatal_remove}, false});
        continue;
      }
      requests.erase(request.key);
      removed.push_back(request.key);
      last_removal = std::chrono::steady_clock::now();
    }
    return failed;
  }
  void give_back(const std::vector<LeasedRequest>& batch) override {
    std::lock_guard lock(mutex);
    for (const auto& request : batch) {
      if (redeliver) handed_out_.erase(request.key);
      given_back.push_back(request.key);
    }
  }

 private:
  /// Counts a call under way (and the most at once), and takes round_trip before its work.
  struct InFlight {
    std::atomic<int>& now;
    InFlight(std::atomic<int>& under_way, std::atomic<int>& most, std::chrono::milliseconds wait)
        : now(under_way) {
      const int current = ++now;
      int seen = most.load();
      while (current > seen && !most.compare_exchange_weak(seen, current)) {
      }
      if (wait.count() > 0) std::this_thread::sleep_for(wait);
    }
    ~InFlight() { --now; }
  };
  std::set<std::string> handed_out_;
};

class MemoryDocuments : public store::DocumentBackend {
 public:
  std::map<std::string, std::string>& documents;
  std::deque<StoreErrorKind>& failures;  // next put calls fail with these
  std::string failing_label;             // when set, only puts of this label take a failure
  bool healthy = true;
  StoreErrorKind unhealthy_kind = StoreErrorKind::fatal;  // what check() says when !healthy
  // From the first failed put on, check() fails transiently while `failures` is not empty.
  bool down_while_failing = false;
  std::vector<std::string>* events = nullptr;
  std::recursive_mutex& mutex;

  MemoryDocuments(std::map<std::string, std::string>& docs, std::deque<StoreErrorKind>& fails,
                  std::recursive_mutex& shared_mutex)
      : documents(docs), failures(fails), mutex(shared_mutex) {}
  std::string describe() const override { return "memory store"; }
  util::Expected<void, StoreError> check() override {
    std::lock_guard lock(mutex);
    if (down_ && !failures.empty()) {
      return util::Unexpected(
          StoreError{StoreErrorKind::transient, "memory store does not answer"});
    }
    if (healthy) return {};
    return util::Unexpected(StoreError{unhealthy_kind, "memory store is down"});
  }
  util::Expected<std::optional<std::string>, StoreError> get(const std::string& key) override {
    std::lock_guard lock(mutex);
    auto it = documents.find(key);
    if (it == documents.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  util::Expected<bool, StoreError> put(const std::string& key, const std::string& json,
                                       bool only_if_absent) override {
    std::lock_guard lock(mutex);
    std::string label = model::widget_from_json(json)->label.value_or("");
    if (events) events->push_back("apply " + label);
    if (!failures.empty() && (failing_label.empty() || failing_label == label)) {
      auto kind = failures.front();
      failures.pop_front();
      down_ = down_while_failing;
      return util::Unexpected(StoreError{kind, "put refused"});
    }
    if (only_if_absent && documents.count(key)) return false;
    documents[key] = json;
    return true;
  }
  util::Expected<bool, StoreError> remove(const std::string& key) override {
    std::lock_guard lock(mutex);
    return documents.erase(key) > 0;
  }

 private:
  bool down_ = false;
};

class MemoryDeadLetters : public store::DeadLetterSink {
 public:
  std::vector<store::DeadLetter> letters;
  std::mutex mutex;
  std::string describe() const override { return "memory dead letters"; }
  util::Expected<void, StoreError> check() override { return {}; }
  util::Expected<void, StoreError> keep(const store::DeadLetter& letter) override {
    std::lock_guard lock(mutex);
    letters.push_back(letter);
    return {};
  }
};

}  // namespace wc::testing_support
