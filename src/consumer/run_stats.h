#pragma once
// What a run did, for the summary at stop (SPEC §8).

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "store/widget_store.h"

namespace wc::consumer {

enum class FinalOutcome { created, replaced, updated, deleted, missing, rejected, dead_lettered };
inline constexpr std::size_t k_final_outcomes = 7;

std::string_view to_string(FinalOutcome outcome);
FinalOutcome final_outcome(store::Outcome outcome);

/// Counters that worker threads bump and a metrics endpoint may read at any time.
class RunStats {
 public:
  RunStats() = default;
  RunStats(const RunStats& other);
  RunStats& operator=(const RunStats& other);

  void count(FinalOutcome outcome) {
    counts_[static_cast<std::size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t count_of(FinalOutcome outcome) const {
    return counts_[static_cast<std::size_t>(outcome)].load(std::memory_order_relaxed);
  }
  std::uint64_t total() const;

  /// "35 requests in 1.20 s (29.2 requests/s): 20 created, 1 replaced, …"
  std::string summary(std::chrono::steady_clock::duration elapsed) const;

 private:
  std::array<std::atomic<std::uint64_t>, k_final_outcomes> counts_{};
};

}  // namespace wc::consumer
