#pragma once
// The consumer loop: take requests from the source in order, apply each, then remove it
// (SPEC §6). Sequential: a request is removed before the next one is started, which is what
// keeps a replay after a crash from undoing newer state.

#include <chrono>
#include <optional>
#include <string>

#include "consumer/run_stats.h"
#include "consumer/stop_flag.h"
#include "source/request_source.h"
#include "store/dead_letter_sink.h"
#include "store/widget_store.h"

namespace wc::consumer {

struct ConsumerOptions {
  std::chrono::milliseconds idle_timeout{0};  ///< 0: never stop for idleness
  std::chrono::milliseconds max_runtime{0};   ///< 0: no limit
  std::size_t poll_batch = 1000;              ///< requests asked of the source per poll
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

  /// Checks source, store and dead-letter place, then consumes until idle timeout, max
  /// runtime, a stop request, or a fatal error.
  RunResult run();

 private:
  /// Empty on success; otherwise the fatal error that must end the run.
  std::optional<std::string> check_all();
  /// Handles one request from read to removal; a fatal error ends the run.
  std::optional<std::string> handle(const source::SourceRequest& request, RunStats& stats);
  std::optional<std::string> dead_letter(const source::SourceRequest& request,
                                         const std::string& body, const std::string& reason,
                                         int attempts);
  /// The request's bytes, waiting out transient source failures; nullopt when it vanished or
  /// a stop was requested.
  std::optional<std::string> read_body(const source::SourceRequest& request,
                                       std::optional<std::string>& fatal);
  bool out_of_time(std::chrono::steady_clock::time_point started) const;

  source::RequestSource& source_;
  store::WidgetStore& store_;
  store::DeadLetterSink& dead_letters_;
  ConsumerOptions options_;
  const StopFlag& stop_;
};

}  // namespace wc::consumer
