#include "aws/aws_call.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "aws/sigv4.h"

namespace wc::aws {

namespace {

std::string_view transport_code(TransportErrorKind kind) {
  switch (kind) {
    case TransportErrorKind::connect:
      return k_connection_error;
    case TransportErrorKind::timeout:
      return k_timeout_error;
    case TransportErrorKind::reset:
      return k_reset_error;
    case TransportErrorKind::other:
      return k_transport_error;
  }
  return k_transport_error;
}

std::string failure_reason(const AwsError& error) {
  std::string reason = error.code;
  if (error.http_status != 0) reason += fmt::format(" (HTTP {})", error.http_status);
  if (!error.message.empty()) reason += ": " + error.message;
  return reason;
}

std::mt19937_64& jitter_rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

}  // namespace

AwsCaller::AwsCaller(ServiceConfig config, std::shared_ptr<HttpTransport> transport,
                     RetryPolicy retry, RetryObserver on_retry, bool s3_rules,
                     AttemptObserver on_attempt)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      retry_(retry),
      on_retry_(std::move(on_retry)),
      s3_rules_(s3_rules),
      on_attempt_(std::move(on_attempt)) {}

util::Expected<HttpResponse, AwsError> AwsCaller::send(const AwsCall& call,
                                                       const ErrorParser& parse_error) {
  const int max_attempts = std::max(1, retry_.max_attempts);
  for (int attempt = 1;; ++attempt) {
    auto result = attempt_once(call, parse_error);
    if (result) return result;
    AwsError& error = result.error();
    error.attempts = attempt;
    if (!error.retryable || attempt >= max_attempts) return result;
    wait_before_retry(call, error);
  }
}

util::Expected<HttpResponse, AwsError> AwsCaller::attempt_once(const AwsCall& call,
                                                               const ErrorParser& parse_error) {
  // A fresh time per attempt: a signature is only valid for a few minutes, and back-off
  // between attempts may be long.
  const SigningParams params{config_.region, config_.service, std::chrono::system_clock::now(),
                             s3_rules_};
  const HttpRequest signed_request = sign(call.request, config_.credentials, params);
  ++calls_;
  const auto sending = std::chrono::steady_clock::now();
  auto sent = transport_->send(signed_request);
  if (on_attempt_) {
    on_attempt_(AttemptEvent{config_.service, call.operation,
                             std::chrono::steady_clock::now() - sending, sent ? sent->status : 0});
  }
  AwsError error;
  error.operation = call.operation;
  error.resource = call.resource;
  if (!sent) {
    const TransportError& failure = sent.error();
    error.code = std::string(transport_code(failure.kind));
    error.message = failure.message;
    error.retryable = is_transient(failure);
    return util::Unexpected(std::move(error));
  }
  HttpResponse& response = *sent;
  if (response.status >= 200 && response.status < 300) return std::move(response);
  ServiceError service_error = parse_error(response);
  error.http_status = response.status;
  error.code = std::move(service_error.code);
  error.message = std::move(service_error.message);
  error.retryable = is_transient(error.http_status, error.code);
  return util::Unexpected(std::move(error));
}

void AwsCaller::wait_before_retry(const AwsCall& call, const AwsError& failure) {
  const auto delay = retry_.delay(failure.attempts, jitter_rng());
  ++retries_;
  if (on_retry_) {
    on_retry_(RetryEvent{call.operation, call.resource, failure.attempts, failure_reason(failure),
                         delay});
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
}

}  // namespace wc::aws
