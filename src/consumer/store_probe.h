#pragma once
// Readiness says whether the store answers, but a consumer with nothing to do makes no store
// calls, so a store that went away would look fine until the next request failed. While the
// store is quiet, the probe asks it WidgetStore::check (one cheap call: HeadBucket,
// DescribeTable, a stat) every `interval`, and records the answer in RunMetrics. It never stops
// the run: what a failing store means for the work is the pipeline's business.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "consumer/run_metrics.h"
#include "store/widget_store.h"

namespace wc::consumer {

class StoreProbe {
 public:
  static constexpr std::chrono::milliseconds k_interval{5000};

  /// Starts the probing thread.
  StoreProbe(store::WidgetStore& store, RunMetrics& metrics,
             std::chrono::milliseconds interval = k_interval);
  /// Stops the thread; a check in progress is cancelled (aws::CallLimits).
  ~StoreProbe();
  StoreProbe(const StoreProbe&) = delete;
  StoreProbe& operator=(const StoreProbe&) = delete;

 private:
  void run();

  store::WidgetStore& store_;
  RunMetrics& metrics_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};
  std::thread thread_;
};

}  // namespace wc::consumer
