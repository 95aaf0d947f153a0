#include "aws/renewal_schedule.h"

#include <algorithm>

namespace wc::aws {

RenewalTimes renewal_times(SystemTime obtained, SystemTime expiration, double random_share) {
  const auto lifetime = std::max(expiration - obtained, SystemTime::duration::zero());
  const double share = k_renew_share_earliest + std::clamp(random_share, 0.0, 1.0) *
                                                    (k_renew_share_latest - k_renew_share_earliest);
  const auto scaled = [&](double factor) {
    return std::chrono::round<SystemTime::duration>(
        std::chrono::duration<double, SystemTime::period>(static_cast<double>(lifetime.count()) *
                                                          factor));
  };
  SystemTime renew_at = obtained + scaled(share);
  const SystemTime latest = expiration - k_renew_before_expiry;
  if (latest >= obtained + scaled(k_renew_share_earliest)) renew_at = std::min(renew_at, latest);
  const auto margin = std::min<SystemTime::duration>(k_stale_margin, scaled(0.1));
  return RenewalTimes{renew_at, expiration - margin};
}

std::chrono::milliseconds renewal_retry_delay(int failures, std::chrono::milliseconds until_stale) {
  const int doublings = std::clamp(failures - 1, 0, 16);
  const std::chrono::milliseconds exponential =
      std::min(k_max_retry_delay, k_first_retry_delay * (1L << doublings));
  return std::max(k_min_retry_delay, std::min(exponential, until_stale / 2));
}

}  // namespace wc::aws
