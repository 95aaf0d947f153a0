#include "consumer/progress.h"

#include <fmt/format.h>

namespace wc::consumer {

Progress::Progress(std::chrono::milliseconds interval, std::function<std::uint64_t()> retries)
    : interval_(interval), retries_(std::move(retries)) {}

std::optional<std::string> Progress::due(Clock::time_point now, Clock::time_point started,
                                         const RunStats& stats, std::size_t in_flight) {
  if (interval_.count() == 0) return std::nullopt;
  if (now - last_.value_or(started) < interval_) return std::nullopt;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - started).count();
  return line(seconds, stats, retries_ ? retries_() : 0, in_flight);
}

std::string Progress::line(double seconds, const RunStats& stats, std::uint64_t retries,
                           std::size_t in_flight) {
  return fmt::format(
      "progress: {} done ({:.1f} requests/s), {} rejected, {} dead-lettered, {} retries, {} in "
      "flight",
      stats.total(), seconds > 0 ? static_cast<double>(stats.total()) / seconds : 0.0,
      stats.count_of(FinalOutcome::rejected), stats.count_of(FinalOutcome::dead_lettered), retries,
      in_flight);
}

}  // namespace wc::consumer
