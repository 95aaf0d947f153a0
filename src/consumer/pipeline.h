#pragma once
// The machinery behind Consumer::run (see consumer.h for the design). Its parts, each small
// enough to hold in one's head and each with tests of its own: Dispatch (the window and the
// per-widget lanes), RequestProcessor (one request's store calls, within its lease),
// RemovalBatcher (acknowledging, in batches, in lane order), stop_policy (idle and runtime
// limits), Outage (how long a place has been unreachable) and Progress (the 5-second line).
// This class only runs them: a lister thread, a pool of lane runners, and the calling thread.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "consumer/consumer.h"
#include "consumer/dispatch.h"
#include "consumer/last_errors.h"
#include "consumer/outage.h"
#include "consumer/progress.h"
#include "consumer/removal_batcher.h"
#include "consumer/request_processor.h"
#include "consumer/stop_policy.h"
#include "util/thread_pool.h"

namespace wc::consumer {

class Pipeline {
 public:
  Pipeline(source::RequestSource& source, store::WidgetStore& store,
           store::DeadLetterSink& dead_letters, const ConsumerOptions& options,
           const StopFlag& stop, RunStats& stats, RunMetrics& metrics);
  ~Pipeline();

  /// Runs until a stop; returns why, and the fatal error if that was the reason.
  std::pair<StopReason, std::string> run();

 private:
  using Clock = std::chrono::steady_clock;

  /// Lister `index` (0: the one that always polls; the others only while the source is busy).
  void list_ahead(std::size_t index);
  /// With mutex_ held: lister `index` may poll now (room in the window beyond the polls in
  /// flight, and for all but the first, a busy source).
  bool may_poll(std::size_t index) const;
  /// The window has room again: one lister, or all when there are several (the one woken
  /// might be one that waits for a busy source).
  void wake_listers();
  /// One poll; its requests are validated and put in their lanes. False when it found none
  /// (or failed, or the run is stopping). `index` as for list_ahead.
  bool poll_once(util::ThreadPool& runners, std::size_t index);
  EntryPtr admit(source::LeasedRequest request);
  void run_lane(const std::string& lane);
  /// Applies or dead-letters one request; false when the lane must stop (its requests are
  /// then given back, or the run is failing).
  bool run_entry(Entry& entry);
  /// A lane took the last request in hand: its removal goes now, and the next poll after it.
  void after_last_in_hand();
  bool dead_letter(Entry& entry, const std::string& reason, int attempts);
  void give_back_lane(const std::string& lane, const std::string& why);
  void fail(const std::string& message);
  bool stopping() const;
  StopState stop_state(Clock::time_point now) const;  ///< with mutex_ held
  void shut_down(Clock::time_point stop_asked);

  source::RequestSource& source_;
  store::WidgetStore& store_;
  store::DeadLetterSink& dead_letters_;
  const ConsumerOptions& options_;
  const StopFlag& external_stop_;
  StopFlag halt_;                 ///< any stop: nothing new starts, polls are cut
  std::atomic<bool> cut_{false};  ///< the stop's grace is over: calls in progress are cut
  RunStats& stats_;
  RunMetrics& metrics_;
  StopRules stop_rules_;
  Outage source_outage_;
  /// Removals keep their own clock: polls that answer must not hide deletes that keep failing
  /// (a queue that hands out messages but refuses DeleteMessageBatch is down for us).
  Outage removal_outage_;
  Outage store_outage_;
  Outage dead_letter_outage_;
  LastErrors last_errors_;
  RequestProcessor processor_;
  RemovalBatcher removals_;
  Progress progress_;
  const std::size_t lister_count_;
  Clock::time_point started_;

  mutable std::mutex mutex_;
  /// Wakes the calling thread: a fatal error, the window emptied, a runner finished.
  std::condition_variable changed_;
  /// Wakes the lister: the window has room for a refill, or emptied.
  std::condition_variable room_;
  Dispatch dispatch_;
  std::size_t running_lanes_ = 0;
  Clock::time_point last_work_;
  Clock::time_point last_fruitless_poll_ = Clock::time_point::min();
  bool poll_now_ = false;
  std::size_t reserved_ = 0;  ///< room taken by polls in flight
  bool busy_ = false;         ///< the last poll got all it asked for: the other listers poll too
  std::string fatal_;

  std::unique_ptr<util::ThreadPool> runners_;
  std::vector<std::thread> listers_;
};

}  // namespace wc::consumer
