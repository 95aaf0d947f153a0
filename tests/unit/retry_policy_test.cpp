#include "aws/retry_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace wc::aws {
namespace {

TEST(RetryPolicy, ServerErrorStatusesAreTransientWhateverTheCode) {
  for (long status : {500L, 502L, 503L, 504L, 429L, 509L}) {
    EXPECT_TRUE(is_transient(status, "")) << status;
    EXPECT_TRUE(is_transient(status, "SomethingUnknown")) << status;
  }
}

TEST(RetryPolicy, ThrottlingAndServerCodesAreTransientWhateverTheStatus) {
  for (const char* code :
       {"SlowDown", "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
        "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "EC2ThrottledException", "TransactionInProgressException",
        "PriorRequestNotComplete", "RequestTimeout", "RequestTimeoutException", "InternalError",
        "InternalFailure", "ServiceUnavailable"}) {
    EXPECT_TRUE(is_transient(400, code)) << code;
    EXPECT_TRUE(is_transient(0, code)) << code;
  }
}

TEST(RetryPolicy, ClientErrorsAreNotRetried) {
  EXPECT_FALSE(is_transient(404, "NoSuchKey"));
  EXPECT_FALSE(is_transient(404, "NoSuchBucket"));
  EXPECT_FALSE(is_transient(403, "AccessDenied"));
  EXPECT_FALSE(is_transient(403, "SignatureDoesNotMatch"));
  EXPECT_FALSE(is_transient(412, "PreconditionFailed"));
  EXPECT_FALSE(is_transient(400, "ConditionalCheckFailedException"));
  EXPECT_FALSE(is_transient(400, "ValidationException"));
  EXPECT_FALSE(is_transient(409, "Conflict"));
  EXPECT_FALSE(is_transient(501, "NotImplemented"));
  EXPECT_FALSE(is_transient(200, ""));
}

TEST(RetryPolicy, CodesMatchExactlyNotBySubstringOrCase) {
  EXPECT_FALSE(is_transient(400, "slowdown"));
  EXPECT_FALSE(is_transient(400, "SlowDownPlease"));
  EXPECT_FALSE(is_transient(400, "Throttl"));
}

TEST(RetryPolicy, ConnectTimeoutAndResetAreTransientOtherTransportErrorsAreNot) {
  EXPECT_TRUE(is_transient(TransportError{TransportErrorKind::connect, "refused"}));
  EXPECT_TRUE(is_transient(TransportError{TransportErrorKind::timeout, "timed out"}));
  EXPECT_TRUE(is_transient(TransportError{TransportErrorKind::reset, "reset by peer"}));
  EXPECT_FALSE(is_transient(TransportError{TransportErrorKind::other, "bad URL"}));
}

TEST(RetryPolicy, DelayStaysBelowTheExponentialCeilingAndUsesItsWholeRange) {
  RetryPolicy policy;
  policy.base_delay = std::chrono::milliseconds{50};
  policy.max_delay = std::chrono::milliseconds{5000};
  std::mt19937_64 rng{42};
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const long long ceiling = std::min(5000LL, 50LL << attempt);
    long long lowest = ceiling;
    long long highest = -1;
    for (int sample = 0; sample < 2000; ++sample) {
      const long long delay = policy.delay(attempt, rng).count();
      lowest = std::min(lowest, delay);
      highest = std::max(highest, delay);
    }
    EXPECT_GE(lowest, 0) << attempt;
    EXPECT_LT(highest, ceiling) << attempt;
    // Full jitter: the samples spread over [0, ceiling), not clustered near the ceiling.
    EXPECT_LT(lowest, ceiling / 10) << attempt;
    EXPECT_GT(highest, ceiling * 9 / 10) << attempt;
  }
}

TEST(RetryPolicy, DelayIsCappedEvenForHugeAttemptNumbers) {
  RetryPolicy policy;
  std::mt19937_64 rng{7};
  for (int attempt : {40, 63, 64, 1000}) {
    EXPECT_LT(policy.delay(attempt, rng), policy.max_delay) << attempt;
  }
}

TEST(RetryPolicy, ZeroBaseDelayMeansNoWait) {
  RetryPolicy policy;
  policy.base_delay = std::chrono::milliseconds{0};
  std::mt19937_64 rng{1};
  EXPECT_EQ(policy.delay(3, rng).count(), 0);
}

}  // namespace
}  // namespace wc::aws
