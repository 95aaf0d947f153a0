#pragma once
// When temporary credentials are renewed, and when they may no longer sign: pure arithmetic,
// so that every rule can be tested with made-up times.

#include <chrono>

#include "aws/credentials.h"

namespace wc::aws {

/// Renewal starts at a random point between these shares of a set's lifetime ...
inline constexpr double k_renew_share_earliest = 0.5;
inline constexpr double k_renew_share_latest = 0.8;
/// ... and no later than this before its expiry, when that still leaves half the lifetime.
inline constexpr std::chrono::minutes k_renew_before_expiry{5};
/// A set stops signing this long before its expiry (a tenth of its lifetime when shorter):
/// a request signed just before expiry must still reach AWS in time.
inline constexpr std::chrono::seconds k_stale_margin{60};
/// A failed renewal is tried again after 1 s, doubling up to 30 s.
inline constexpr std::chrono::milliseconds k_first_retry_delay{1000};
inline constexpr std::chrono::milliseconds k_max_retry_delay{30'000};
inline constexpr std::chrono::milliseconds k_min_retry_delay{50};

struct RenewalTimes {
  SystemTime renew_at;  ///< start renewing in the background
  SystemTime stale_at;  ///< from here on, never sign with this set
};

/// `obtained` is when the set arrived, `expiration` when it ends (after `obtained`), and
/// `random_share` is uniform in [0, 1): it picks the point between the earliest and latest
/// share, so that many consumers started together do not renew together.
RenewalTimes renewal_times(SystemTime obtained, SystemTime expiration, double random_share);

/// The wait before renewal attempt number `failures` + 1 after `failures` failed ones (>= 1):
/// exponential from k_first_retry_delay to k_max_retry_delay, but at most half the time left
/// until the set goes stale, so that several attempts fit before then.
std::chrono::milliseconds renewal_retry_delay(int failures, std::chrono::milliseconds until_stale);

}  // namespace wc::aws
