#include "consumer/run_stats.h"

#include <fmt/format.h>

namespace wc::consumer {

std::string_view to_string(FinalOutcome outcome) {
  switch (outcome) {
    case FinalOutcome::created:
      return "created";
    case FinalOutcome::replaced:
      return "replaced";
    case FinalOutcome::updated:
      return "updated";
    case FinalOutcome::deleted:
      return "deleted";
    case FinalOutcome::missing:
      return "missing";
    case FinalOutcome::rejected:
      return "rejected";
    case FinalOutcome::dead_lettered:
      return "dead-lettered";
  }
  return "unknown";
}

FinalOutcome final_outcome(store::Outcome outcome) {
  switch (outcome) {
    case store::Outcome::created:
      return FinalOutcome::created;
    case store::Outcome::replaced:
      return FinalOutcome::replaced;
    case store::Outcome::updated:
      return FinalOutcome::updated;
    case store::Outcome::deleted:
      return FinalOutcome::deleted;
    case store::Outcome::missing:
      return FinalOutcome::missing;
  }
  return FinalOutcome::missing;
}

RunStats::RunStats(const RunStats& other) { *this = other; }

RunStats& RunStats::operator=(const RunStats& other) {
  for (std::size_t i = 0; i < k_final_outcomes; ++i) counts_[i] = other.counts_[i].load();
  return *this;
}

std::uint64_t RunStats::total() const {
  std::uint64_t sum = 0;
  for (const auto& count : counts_) sum += count.load(std::memory_order_relaxed);
  return sum;
}

std::string RunStats::summary(std::chrono::steady_clock::duration elapsed) const {
  double seconds = std::chrono::duration<double>(elapsed).count();
  double rate = seconds > 0 ? static_cast<double>(total()) / seconds : 0.0;
  std::string text =
      fmt::format("{} requests in {:.2f} s ({:.1f} requests/s):", total(), seconds, rate);
  for (std::size_t i = 0; i < k_final_outcomes; ++i) {
    text += fmt::format("{} {} {}", i == 0 ? "" : ",", counts_[i].load(),
                        to_string(static_cast<FinalOutcome>(i)));
  }
  return text;
}

}  // namespace wc::consumer
