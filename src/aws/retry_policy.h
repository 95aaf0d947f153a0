#pragma once
// Which failures are worth sending again, and how long to wait before doing so.

#include <chrono>
#include <random>
#include <string_view>

#include "aws/http.h"

namespace wc::aws {

/// The one table that decides retries: connection errors, timeouts, 5xx, 429, SlowDown and the
/// throttling codes are transient; everything else is returned to the caller at once.
bool is_transient(long http_status, std::string_view error_code);
bool is_transient(const TransportError& error);

struct RetryPolicy {
  int max_attempts = 6;
  std::chrono::milliseconds base_delay{50};
  std::chrono::milliseconds max_delay{5000};

  /// Capped exponential back-off with full jitter: uniform in [0, min(cap, base * 2^attempt)).
  /// `attempt` counts from 1 (the delay before the second send).
  std::chrono::milliseconds delay(int attempt, std::mt19937_64& rng) const;
};

}  // namespace wc::aws
