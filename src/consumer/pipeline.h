#pragma once
// The machinery behind Consumer::run (see consumer.h for the design).

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "consumer/consumer.h"
#include "consumer/removal_batcher.h"
#include "consumer/request_processor.h"
#include "consumer/thread_pool.h"

namespace wc::consumer {

class Pipeline {
 public:
  Pipeline(source::RequestSource& source, store::WidgetStore& store,
           store::DeadLetterSink& dead_letters, const ConsumerOptions& options,
           const StopFlag& stop, RunStats& stats, RunMetrics& metrics);

  /// Runs until a stop; returns why, and the fatal error if that was the reason.
  std::pair<StopReason, std::string> run();

 private:
  using Clock = std::chrono::steady_clock;

  /// One request from the moment it is handed out until it is removed or released.
  struct Entry {
    source::SourceRequest request;
    Clock::time_point started;
    bool ready = false;    ///< body read and validated (or found vanished)
    bool vanished = false;
    std::string body;
    std::optional<model::WidgetRequest> valid;
    std::string rejection;
    RunMetrics::Tracked tracked;  ///< counts it as in flight while it exists
  };
  using EntryPtr = std::shared_ptr<Entry>;

  void list_ahead();
  void fetch(const EntryPtr& entry);
  std::optional<std::string> read_body(const source::SourceRequest& request, bool& vanished);
  void dispatch_ready();
  void run_lane(const std::string& lane);
  void finish_rejected(const EntryPtr& entry);
  bool apply(const EntryPtr& entry);
  bool dead_letter(const EntryPtr& entry, const std::string& reason, int attempts);
  void abandon_lane(const std::string& lane);
  void fail(const std::string& message);
  std::optional<StopReason> stop_reason(Clock::time_point started);
  bool stopping() const;
  void leave_window();  ///< with mutex_ held
  std::size_t free_in_window() const { return window_ - in_window_; }  ///< with mutex_ held
  void log_progress(Clock::time_point& last_progress, Clock::time_point started);
  void shut_down();

  source::RequestSource& source_;
  store::WidgetStore& store_;
  store::DeadLetterSink& dead_letters_;
  const ConsumerOptions& options_;
  const StopFlag& external_stop_;
  StopFlag halt_;  ///< raised on any stop; every wait inside the pipeline honours it
  RunStats& stats_;
  RunMetrics& metrics_;
  RequestProcessor processor_;
  RemovalBatcher removals_;
  std::size_t window_;
  std::size_t refill_at_;  ///< the lister refills once this much of the window is free

  std::mutex mutex_;
  /// Wakes the dispatch loop: a fatal error, an empty poll, the window emptied. Not every
  /// request: each needless wake-up is a context switch, and those were most of the CPU.
  std::condition_variable changed_;
  /// Wakes the lister: the window has room for a refill, or emptied.
  std::condition_variable room_;
  std::deque<EntryPtr> pending_;  ///< handed out, not yet in a lane, in source order
  std::unordered_map<std::string, std::deque<EntryPtr>> lanes_;  ///< by widgetId
  std::vector<source::SourceRequest> released_;  ///< not started when the stop came
  std::size_t in_window_ = 0;
  bool poll_now_ = false;
  Clock::time_point idle_since_;
  Clock::time_point last_empty_poll_;
  std::string fatal_;

  std::unique_ptr<ThreadPool> fetchers_;
  std::unique_ptr<ThreadPool> workers_;
  std::thread lister_;
};

}  // namespace wc::consumer
