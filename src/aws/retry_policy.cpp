#include "aws/retry_policy.h"

#include <algorithm>
#include <array>

namespace wc::aws {

namespace {

/// One row of the retry table: a failure matches a row when its HTTP status equals `status`
/// (0 = any status) and its error code equals `code` (empty = any code).
struct TransientRow {
  long status;
  std::string_view code;
};

// Followed: botocore's "standard" retry mode (botocore/retries/standard.py:
// TransientRetryableChecker and ThrottledRetryableChecker, which match codes regardless of
// status), plus 429 and 509 from its legacy table (botocore/data/_retry.json) and the
// InternalError/InternalFailure/ServiceUnavailable codes aws-sdk-cpp's CoreErrors marks
// retryable (services sometimes send them with a 4xx status or, for S3, inside a 200).
constexpr std::array k_transient_rows{
    // Server-side failures and throttling signalled by status alone.
    TransientRow{500, {}},
    TransientRow{502, {}},
    TransientRow{503, {}},
    TransientRow{504, {}},
    TransientRow{429, {}},
    TransientRow{509, {}},
    // Throttling codes.
    TransientRow{0, "SlowDown"},
    TransientRow{0, "Throttling"},
    TransientRow{0, "ThrottlingException"},
    TransientRow{0, "ThrottledException"},
    TransientRow{0, "RequestThrottled"},
    TransientRow{0, "RequestThrottledException"},
    TransientRow{0, "TooManyRequestsException"},
    TransientRow{0, "ProvisionedThroughputExceededException"},
    TransientRow{0, "RequestLimitExceeded"},
    TransientRow{0, "BandwidthLimitExceeded"},
    TransientRow{0, "LimitExceededException"},
    TransientRow{0, "EC2ThrottledException"},
    // The server is still busy with an earlier request or timed out reading this one.
    TransientRow{0, "TransactionInProgressException"},
    TransientRow{0, "PriorRequestNotComplete"},
    TransientRow{0, "RequestTimeout"},
    TransientRow{0, "RequestTimeoutException"},
    // Server errors that may arrive with a non-5xx status.
    TransientRow{0, "InternalError"},
    TransientRow{0, "InternalFailure"},
    TransientRow{0, "ServiceUnavailable"},
    // STS could not reach the web identity's OIDC provider (botocore retries it too).
    TransientRow{0, "IDPCommunicationError"},
};

bool matches(const TransientRow& row, long http_status, std::string_view error_code) {
  return (row.status == 0 || row.status == http_status) &&
         (row.code.empty() || row.code == error_code);
}

}  // namespace

bool is_transient(long http_status, std::string_view error_code) {
  return std::any_of(
      k_transient_rows.begin(), k_transient_rows.end(),
      [&](const TransientRow& row) { return matches(row, http_status, error_code); });
}

bool is_transient(const TransportError& error) {
  // A reset or timeout may hide a request the server did apply; every call this layer makes
  // is idempotent (or guarded by a precondition), so sending it again is safe.
  switch (error.kind) {
    case TransportErrorKind::connect:
    case TransportErrorKind::timeout:
    case TransportErrorKind::reset:
      return true;
    case TransportErrorKind::cancelled:
    case TransportErrorKind::other:
      return false;
  }
  return false;
}

std::chrono::milliseconds RetryPolicy::delay(int attempt, std::mt19937_64& rng) const {
  // Clamp the shift so a large attempt number cannot overflow; the cap applies anyway.
  const int shift = std::clamp(attempt, 0, 30);
  const long long exponential = base_delay.count() * (1LL << shift);
  const long long ceiling = std::min<long long>(max_delay.count(), exponential);
  if (ceiling <= 0) return std::chrono::milliseconds{0};
  std::uniform_int_distribution<long long> uniform(0, ceiling - 1);
  return std::chrono::milliseconds{uniform(rng)};
}

}  // namespace wc::aws
