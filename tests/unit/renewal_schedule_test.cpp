#include "aws/renewal_schedule.h"

#include <gtest/gtest.h>

#include "credentials_test_support.h"

namespace wc::aws {
namespace {

using namespace std::chrono_literals;
using testing_support::test_epoch;

TEST(RenewalSchedule, AnHourLongSetIsRenewedBetweenHalfAndFourFifthsOfItsLife) {
  const SystemTime start = test_epoch();
  EXPECT_EQ(renewal_times(start, start + 1h, 0.0).renew_at, start + 30min);
  EXPECT_EQ(renewal_times(start, start + 1h, 0.5).renew_at, start + 39min);
  EXPECT_EQ(renewal_times(start, start + 1h, 1.0).renew_at, start + 48min);
}

TEST(RenewalSchedule, RenewalIsNeverLaterThanFiveMinutesBeforeExpiryWhenThatLeavesHalfTheLife) {
  const SystemTime start = test_epoch();
  // 15 minutes (STS's shortest): 80 % would be 12 minutes; 5 minutes before expiry is 10.
  EXPECT_EQ(renewal_times(start, start + 15min, 1.0).renew_at, start + 10min);
  // 8 minutes: 5 minutes before expiry would be before half the life, so the shares apply.
  EXPECT_EQ(renewal_times(start, start + 8min, 1.0).renew_at, start + 384s);
}

TEST(RenewalSchedule, ShortLivedSetsKeepTheirShares) {
  const SystemTime start = test_epoch();
  EXPECT_EQ(renewal_times(start, start + 4s, 0.0).renew_at, start + 2s);
  EXPECT_EQ(renewal_times(start, start + 4s, 1.0).renew_at, start + 3200ms);
}

TEST(RenewalSchedule, ASetGoesStaleAMinuteOrATenthOfItsLifeBeforeExpiry) {
  const SystemTime start = test_epoch();
  EXPECT_EQ(renewal_times(start, start + 1h, 0.3).stale_at, start + 59min);
  EXPECT_EQ(renewal_times(start, start + 4s, 0.3).stale_at, start + 3600ms);
  // Whatever the share, renewal starts before the set goes stale.
  for (auto lifetime : {4s, 60s, 900s, 3600s, 43200s}) {
    auto times = renewal_times(start, start + lifetime, 1.0);
    EXPECT_LT(times.renew_at, times.stale_at) << lifetime.count();
  }
}

TEST(RenewalSchedule, RetriesDoubleFromOneSecondToThirty) {
  EXPECT_EQ(renewal_retry_delay(1, 1h), 1s);
  EXPECT_EQ(renewal_retry_delay(2, 1h), 2s);
  EXPECT_EQ(renewal_retry_delay(5, 1h), 16s);
  EXPECT_EQ(renewal_retry_delay(6, 1h), 30s);
  EXPECT_EQ(renewal_retry_delay(60, 1h), 30s);
}

TEST(RenewalSchedule, RetriesFitSeveralTimesBeforeTheSetGoesStale) {
  EXPECT_EQ(renewal_retry_delay(6, 20s), 10s);
  EXPECT_EQ(renewal_retry_delay(1, 600ms), 300ms);
  EXPECT_EQ(renewal_retry_delay(1, 20ms), 50ms);  // never a busy loop
}

}  // namespace
}  // namespace wc::aws
