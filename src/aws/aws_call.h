#pragma once
// The loop every AWS client shares: sign each attempt with a fresh time, send it, classify the
// answer, and retry transient failures with back-off. Service clients add only their wire
// format (how to build a request, how to read an error body).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "aws/aws_error.h"
#include "aws/client_config.h"
#include "aws/http.h"
#include "aws/retry_policy.h"
#include "util/expected.h"

namespace wc::aws {

struct CallLimits;

/// Called before each retry; lets the caller count and log them without this layer logging.
struct RetryEvent {
  std::string operation;
  std::string resource;
  int attempt = 0;  ///< the attempt that failed
  std::string reason;
  std::chrono::milliseconds delay{0};
};
using RetryObserver = std::function<void(const RetryEvent&)>;

/// Called after each attempt (each HTTP request sent, retries included); lets the caller time
/// calls without this layer keeping metrics.
struct AttemptEvent {
  std::string_view service;    ///< "s3", "dynamodb", "sqs"
  std::string_view operation;  ///< "PutObject"
  /// From sending the request to having the whole answer (or the failure).
  std::chrono::steady_clock::duration duration{};
  long http_status = 0;  ///< 0 when no answer came (connection error, timeout)
};
using AttemptObserver = std::function<void(const AttemptEvent&)>;

/// What a service said about a failed request.
struct ServiceError {
  std::string code;
  std::string message;
};
/// Reads a non-2xx response (whose body may be empty or not even the service's format) into a
/// code and message. Must not throw.
using ErrorParser = std::function<ServiceError(const HttpResponse&)>;

/// One operation to perform: `request` is unsigned; it is signed anew for each attempt.
struct AwsCall {
  std::string operation;  ///< "PutObject"
  std::string resource;   ///< "s3://bucket/key", named in errors and retry events
  HttpRequest request;
};

/// Error codes for failures below HTTP (AwsError::code when http_status is 0).
inline constexpr std::string_view k_connection_error = "ConnectionError";
inline constexpr std::string_view k_timeout_error = "Timeout";
inline constexpr std::string_view k_reset_error = "ConnectionReset";
inline constexpr std::string_view k_transport_error = "TransportError";
/// The call was cut short by the thread's CallLimits (call_limits.h): its cancel flag was
/// raised, or its deadline left no time for an attempt. Not retryable; the effect of the
/// last attempt, if one was under way, is unknown.
inline constexpr std::string_view k_cancelled_error = "Cancelled";
inline constexpr std::string_view k_deadline_error = "DeadlineExceeded";
/// The credentials provider had no usable credentials (they expired and could not be renewed):
/// the message names the provider and the cause. Fatal, like refused credentials.
inline constexpr std::string_view k_credentials_error = "CredentialsUnavailable";

/// Sends signed calls for one service and counts them. Thread-safe. Each attempt is signed with
/// what config.credentials->current() returns at that moment, so a renewal applies at once to
/// every caller; a null config.credentials sends calls unsigned (STS AssumeRoleWithWebIdentity).
class AwsCaller {
 public:
  /// `s3_rules` selects S3's signing variant (see SigningParams).
  AwsCaller(ServiceConfig config, std::shared_ptr<HttpTransport> transport, RetryPolicy retry,
            RetryObserver on_retry, bool s3_rules, AttemptObserver on_attempt = {});

  /// Sends `call` until it gets a 2xx answer, a non-transient failure, or RetryPolicy's
  /// max_attempts are used. A 2xx response is returned whatever its body; anything else
  /// becomes an AwsError whose code/message come from `parse_error` (HTTP failures) or the
  /// transport, with `attempts` set and `retryable` telling whether the last failure was
  /// transient. Sleeps between attempts on the calling thread. Honours the thread's
  /// CallLimits: no attempt starts past the deadline or once cancelled (k_deadline_error,
  /// k_cancelled_error), and a back-off that would end past the deadline is not waited.
  util::Expected<HttpResponse, AwsError> send(const AwsCall& call, const ErrorParser& parse_error);
  /// Sends every call as send() does, all at once (HttpTransport::send_all), and returns their
  /// results in the same order. The calls that fail transiently are sent again together after
  /// one back-off, until each has an answer or its attempts are used.
  std::vector<util::Expected<HttpResponse, AwsError>> send_all(
      const std::vector<const AwsCall*>& calls, const ErrorParser& parse_error);

  const ServiceConfig& config() const { return config_; }
  /// HTTP requests sent so far (retries included).
  std::uint64_t calls() const { return calls_.load(); }
  /// Requests that were sent again after a transient failure.
  std::uint64_t retries() const { return retries_.load(); }

 private:
  util::Expected<HttpResponse, AwsError> attempt_once(const AwsCall& call,
                                                      const ErrorParser& parse_error);
  /// The request signed with the credentials of this moment; an empty request when calls go
  /// unsigned (the call's own is sent then). Fails when there are no credentials to sign with.
  util::Expected<HttpRequest, AwsError> sign_for_attempt(const AwsCall& call) const;
  /// The attempt's outcome: the 2xx response, or the failure classified (retryable or not).
  util::Expected<HttpResponse, AwsError> judge(const AwsCall& call, TransportResult sent,
                                               std::chrono::steady_clock::time_point started,
                                               const ErrorParser& parse_error) const;
  /// Sets the failed attempt's number, turns a transfer cut by the thread's CallLimits into
  /// k_cancelled_error / k_deadline_error, and says whether the call may be sent again
  /// (transient, attempts left).
  bool may_retry(const AwsCall& call, util::Expected<HttpResponse, AwsError>& failed, int attempt,
                 const CallLimits& limits) const;
  /// The back-off before retry number `attempts`; negative when the thread's CallLimits leave
  /// no time for it (cancelled, or the deadline would pass).
  std::chrono::milliseconds retry_delay(int attempts) const;
  /// Counts the retry and tells the observer.
  void note_retry(const AwsCall& call, const AwsError& failure, std::chrono::milliseconds delay);
  /// False when the wait was cut short by the thread's CallLimits (cancelled).
  bool wait_before_retry(std::chrono::milliseconds delay);

  ServiceConfig config_;
  std::shared_ptr<HttpTransport> transport_;
  RetryPolicy retry_;
  RetryObserver on_retry_;
  bool s3_rules_;
  AttemptObserver on_attempt_;
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> retries_{0};
};

}  // namespace wc::aws
