#include "consumer/store_probe.h"

#include <algorithm>

#include "aws/call_limits.h"

namespace wc::consumer {

namespace {

// How often the probe looks whether the store has been quiet long enough.
constexpr std::chrono::milliseconds k_max_tick{250};

}  // namespace

StoreProbe::StoreProbe(store::WidgetStore& store, RunMetrics& metrics,
                       std::chrono::milliseconds interval)
    : store_(store), metrics_(metrics), interval_(interval), thread_([this] { run(); }) {}

StoreProbe::~StoreProbe() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cancel_ = true;  // a check in progress ends at once: the stop must not wait for it
  }
  wake_.notify_all();
  thread_.join();
}

void StoreProbe::run() {
  aws::CallScope cancellable({std::nullopt, &cancel_});
  const auto tick = std::min(k_max_tick, interval_);
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, tick, [this] { return stopping_; })) {
    const auto& store = metrics_.store();
    if (store.busy() || store.quiet_for(RunMetrics::Clock::now()) < interval_) continue;
    lock.unlock();
    // The answer goes to the metrics; what a failing store means is the pipeline's business.
    (void)metrics_.store_call([this] { return store_.check(); });
    lock.lock();
  }
}

}  // namespace wc::consumer
