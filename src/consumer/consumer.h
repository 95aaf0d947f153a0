#pragma once
// The consumer: takes requests from the source in order and applies them to the store with up
// to `concurrency` widgets at a time, while the requests of one widget run strictly one after
// another in source order, each removed from the source before the next of its widget starts
// (SPEC §6). That last rule is what keeps a replay after a crash from undoing newer state.
//
// Threads: a lister polls the source ahead of the work (bounded by a window; a poll hands out
// requests with their bytes; a busy queue gets several listers), validates them and puts each in
// its widget's lane in source order; a pool of runners runs the lanes, and this thread flushes
// removal batches, logs progress and watches for a stop. Unreachable places are waited for under
// one outage rule, and every limit on trying again is in attempt_budgets.h.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "consumer/attempt_budgets.h"
#include "consumer/run_metrics.h"
#include "consumer/run_stats.h"
#include "consumer/stop_flag.h"
#include "source/request_source.h"
#include "store/dead_letter_sink.h"
#include "store/widget_store.h"

namespace wc::consumer {

struct ConsumerOptions {
  std::chrono::milliseconds idle_timeout{0};  ///< 0: never stop for idleness
  std::chrono::milliseconds max_runtime{0};   ///< 0: no limit
  std::size_t concurrency = 32;               ///< widgets applied at once; 1 is sequential
  /// Requests handed out and not yet removed, at most. 0: derived from concurrency.
  std::size_t window = 0;
  /// Requests one poll takes at most (a bucket reads their bodies at once). 0: concurrency.
  std::size_t poll_batch = 0;
  /// Polls in flight at once while the source is busy (the last poll got all it asked for):
  /// a queue hands out at most 10 messages per receive, one receive per round trip. The
  /// others wait while it is not; the source must then take concurrent polls. 1: one lister.
  std::size_t pollers = 1;
  /// --outage-timeout: how long an unreachable source, store or dead-letter place is waited
  /// for before the run ends with exit 1. 0: forever.
  std::chrono::milliseconds outage_timeout{k_default_outage_timeout};
  std::size_t max_removal_batch = 1000;  ///< DeleteObjects takes up to 1000
  /// An applied request waits no longer than this (and the main loop's 50 ms tick) for removal.
  std::chrono::milliseconds max_removal_delay{200};
  std::chrono::milliseconds progress_interval{5000};  ///< 0: no progress lines
  std::function<std::uint64_t()> retries;             ///< AWS retries so far, for progress
  /// Where the live numbers and health go (the metrics endpoint reads them); null: the
  /// consumer keeps its own. Must outlive the consumer.
  RunMetrics* metrics = nullptr;
};

enum class StopReason { idle_timeout, max_runtime, stop_requested, fatal_error };

struct RunResult {
  StopReason reason = StopReason::stop_requested;
  std::string fatal_error;  ///< set when reason is fatal_error; names the resource and cause
  RunStats stats;
  std::chrono::steady_clock::duration elapsed{};
};

class Consumer {
 public:
  Consumer(source::RequestSource& source, store::WidgetStore& store,
           store::DeadLetterSink& dead_letters, ConsumerOptions options, const StopFlag& stop);

  /// Opens source, store and dead-letter place (waiting for unreachable ones under the outage
  /// rule), then consumes until idle timeout, max runtime, a stop request, or a fatal error.
  /// On the way out, work in hand gets k_stop_grace to finish and be removed; the rest is
  /// given back to the source.
  RunResult run();

  /// Live counters (safe to read from another thread while run() works).
  const RunStats& stats() const { return stats_; }
  const RunMetrics& metrics() const { return metrics_; }

 private:
  /// Why the run ends before it starts (a fatal error, or a stop while waiting), if it does.
  std::optional<std::pair<StopReason, std::string>> open_all();

  source::RequestSource& source_;
  store::WidgetStore& store_;
  store::DeadLetterSink& dead_letters_;
  ConsumerOptions options_;
  const StopFlag& stop_;
  RunStats stats_;
  RunMetrics own_metrics_;
  RunMetrics& metrics_;
};

}  // namespace wc::consumer
