#pragma once
// The progress line every few seconds (README "Logging"): requests/s, done, rejected,
// dead-lettered, retries, in flight.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "consumer/run_stats.h"

namespace wc::consumer {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  /// `interval` 0: never. `retries`: AWS retries so far (may be empty).
  Progress(std::chrono::milliseconds interval, std::function<std::uint64_t()> retries);

  /// The line to log at `now`, when one is due (the first one `interval` after `started`).
  std::optional<std::string> due(Clock::time_point now, Clock::time_point started,
                                 const RunStats& stats, std::size_t in_flight);

  /// "progress: 120 done (24.0 requests/s), 1 rejected, 0 dead-lettered, 3 retries, 8 in
  /// flight"
  static std::string line(double seconds, const RunStats& stats, std::uint64_t retries,
                          std::size_t in_flight);

 private:
  std::chrono::milliseconds interval_;
  std::function<std::uint64_t()> retries_;
  std::optional<Clock::time_point> last_;
};

}  // namespace wc::consumer
