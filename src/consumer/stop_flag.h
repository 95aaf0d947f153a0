#pragma once
// A stop request that a signal handler can raise and every wait in the consumer honours.

#include <atomic>
#include <chrono>

namespace wc::consumer {

class StopFlag {
 public:
  /// Async-signal-safe.
  void request_stop() { stop_.store(true, std::memory_order_relaxed); }
  bool stop_requested() const { return stop_.load(std::memory_order_relaxed); }
  /// The flag itself, for aws::CallLimits::cancel (a stop cancels the calls it guards).
  const std::atomic<bool>& flag() const { return stop_; }

  /// Sleeps for `duration`, or less when a stop is requested meanwhile. Returns false if it
  /// was cut short by a stop.
  bool sleep_for(std::chrono::milliseconds duration) const;

 private:
  std::atomic<bool> stop_{false};
};

}  // namespace wc::consumer
