#pragma once
// A histogram of durations in Prometheus's shape (cumulative buckets by upper bound, a count and
// a sum), cheap enough to observe on every request: fixed bounds, relaxed atomics, no lock.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

namespace wc::util {

/// Upper bounds in seconds for latencies from a millisecond to a long SQS poll (20 s).
inline constexpr std::initializer_list<double> k_latency_buckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

class DurationHistogram {
 public:
  /// `bounds`: upper bounds in seconds, ascending; a +Inf bucket is implied.
  explicit DurationHistogram(std::initializer_list<double> bounds = k_latency_buckets)
      : bounds_(bounds), counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size())) {}

  void observe(std::chrono::steady_clock::duration duration) {
    const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
    const double seconds = static_cast<double>(std::max<std::int64_t>(nanos, 0)) / 1e9;
    auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin();
    if (static_cast<std::size_t>(bucket) < bounds_.size()) {
      counts_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
    }
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_nanos_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(nanos, 0)),
                         std::memory_order_relaxed);
  }

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  ///< observations <= bounds[i]
    std::uint64_t count = 0;                ///< all observations (the +Inf bucket)
    double sum_seconds = 0;
  };

  /// A consistent-enough copy for exposition: taken without a lock, so an observation racing
  /// the snapshot may show in the count and not yet in its bucket; the count is read last and
  /// raised to the buckets' total, so the +Inf bucket is never below a finite one.
  Snapshot snapshot() const {
    Snapshot out;
    out.bounds = bounds_;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
      running += counts_[i].load(std::memory_order_relaxed);
      out.cumulative.push_back(running);
    }
    out.sum_seconds = static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
    out.count = std::max(running, count_.load(std::memory_order_relaxed));
    return out;
  }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_nanos_{0};
};

}  // namespace wc::util
