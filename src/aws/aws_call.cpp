#include "aws/aws_call.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "aws/call_limits.h"
#include "aws/sigv4.h"
#include "util/thread_rng.h"

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
    case TransportErrorKind::cancelled:
      return k_cancelled_error;
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

// Below this much time left before the deadline an attempt is not worth starting.
constexpr std::chrono::milliseconds k_min_attempt_time{50};
constexpr std::chrono::milliseconds k_cancel_check_interval{20};

AwsError interrupted(const AwsCall& call, std::string_view code, int attempts) {
  AwsError error;
  error.operation = call.operation;
  error.resource = call.resource;
  error.code = std::string(code);
  error.message = code == k_cancelled_error ? "cut short: the consumer is stopping"
                                            : "cut short: no time left before its deadline";
  error.attempts = attempts;
  return error;
}

/// Why the thread's limits forbid another attempt now, if they do.
std::optional<std::string_view> limit_reached(const CallLimits& limits) {
  if (limits.cancelled()) return k_cancelled_error;
  if (limits.deadline && CallClock::now() + k_min_attempt_time > *limits.deadline) {
    return k_deadline_error;
  }
  return std::nullopt;
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
  const CallLimits& limits = current_call_limits();
  for (int attempt = 1;; ++attempt) {
    if (auto reached = limit_reached(limits)) {
      return util::Unexpected(interrupted(call, *reached, attempt - 1));
    }
    auto result = attempt_once(call, parse_error);
    if (result || !may_retry(call, result, attempt, limits)) return result;
    const auto delay = retry_delay(attempt);
    if (delay < std::chrono::milliseconds::zero()) return result;
    note_retry(call, result.error(), delay);
    if (!wait_before_retry(delay)) return result;
  }
}

bool AwsCaller::may_retry(const AwsCall& call, util::Expected<HttpResponse, AwsError>& failed,
                          int attempt, const CallLimits& limits) const {
  AwsError& error = failed.error();
  error.attempts = attempt;
  // A transfer cut at the deadline or by the cancel flag says so, not "Timeout".
  if (auto reached = limit_reached(limits); reached && error.http_status == 0) {
    failed = util::Unexpected(interrupted(call, *reached, attempt));
    return false;
  }
  return error.retryable && attempt < std::max(1, retry_.max_attempts);
}

util::Expected<HttpResponse, AwsError> AwsCaller::attempt_once(const AwsCall& call,
                                                               const ErrorParser& parse_error) {
  auto signed_request = sign_for_attempt(call);
  if (!signed_request) return util::Unexpected(std::move(signed_request).error());
  ++calls_;
  const auto started = std::chrono::steady_clock::now();
  auto sent = transport_->send(config_.credentials ? *signed_request : call.request);
  return judge(call, std::move(sent), started, parse_error);
}

std::vector<util::Expected<HttpResponse, AwsError>> AwsCaller::send_all(
    const std::vector<const AwsCall*>& calls, const ErrorParser& parse_error) {
  const CallLimits& limits = current_call_limits();
  std::vector<std::optional<util::Expected<HttpResponse, AwsError>>> results(calls.size());
  std::vector<std::size_t> pending(calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) pending[i] = i;

  for (int attempt = 1; !pending.empty(); ++attempt) {
    if (auto reached = limit_reached(limits)) {
      for (std::size_t i : pending) {
        results[i] = util::Unexpected(interrupted(*calls[i], *reached, attempt - 1));
      }
      break;
    }
    // A fresh time per attempt: a signature is only valid for a few minutes, and back-off
    // between attempts may be long.
    std::vector<std::size_t> sending;
    std::vector<HttpRequest> signed_requests;
    signed_requests.reserve(pending.size());
    for (std::size_t i : pending) {
      auto request = sign_for_attempt(*calls[i]);
      if (!request) {
        request.error().attempts = attempt;
        results[i] = util::Unexpected(std::move(request).error());
        continue;
      }
      sending.push_back(i);
      signed_requests.push_back(std::move(*request));
    }
    std::vector<const HttpRequest*> requests;
    for (std::size_t k = 0; k < sending.size(); ++k) {
      requests.push_back(config_.credentials ? &signed_requests[k] : &calls[sending[k]]->request);
    }
    calls_ += requests.size();
    const auto started = std::chrono::steady_clock::now();
    std::vector<TransportResult> sent = transport_->send_all(requests);

    pending.clear();
    std::optional<std::chrono::milliseconds> delay;
    for (std::size_t k = 0; k < sending.size(); ++k) {
      const std::size_t i = sending[k];
      auto result = judge(*calls[i], std::move(sent[k]), started, parse_error);
      if (!result && may_retry(*calls[i], result, attempt, limits)) {
        if (!delay) delay = retry_delay(attempt);
        if (*delay >= std::chrono::milliseconds::zero()) {
          note_retry(*calls[i], result.error(), *delay);
          pending.push_back(i);  // its failure stays the result should the wait be cut short
        }
      }
      results[i] = std::move(result);
    }
    if (!pending.empty() && !wait_before_retry(*delay)) break;
  }
  std::vector<util::Expected<HttpResponse, AwsError>> out;
  out.reserve(calls.size());
  for (auto& result : results) out.push_back(std::move(*result));
  return out;
}

util::Expected<HttpRequest, AwsError> AwsCaller::sign_for_attempt(const AwsCall& call) const {
  if (!config_.credentials) return HttpRequest{};  // sent as it is: see send_all
  auto credentials = config_.credentials->current();
  if (!credentials) {
    AwsError error;
    error.operation = call.operation;
    error.resource = call.resource;
    error.code = std::string(k_credentials_error);
    error.message = std::move(credentials).error();
    return util::Unexpected(std::move(error));
  }
  const SigningParams params{config_.region, config_.service, std::chrono::system_clock::now(),
                             s3_rules_};
  return sign(call.request, **credentials, params);
}

util::Expected<HttpResponse, AwsError> AwsCaller::judge(
    const AwsCall& call, TransportResult sent, std::chrono::steady_clock::time_point started,
    const ErrorParser& parse_error) const {
  if (on_attempt_) {
    on_attempt_(AttemptEvent{config_.service, call.operation,
                             std::chrono::steady_clock::now() - started, sent ? sent->status : 0});
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

std::chrono::milliseconds AwsCaller::retry_delay(int attempts) const {
  const auto delay = retry_.delay(attempts, util::thread_rng());
  const CallLimits& limits = current_call_limits();
  const auto until = CallClock::now() + delay;
  if (limits.cancelled() || (limits.deadline && until + k_min_attempt_time > *limits.deadline)) {
    return std::chrono::milliseconds(-1);
  }
  return delay;
}

void AwsCaller::note_retry(const AwsCall& call, const AwsError& failure,
                           std::chrono::milliseconds delay) {
  ++retries_;
  if (on_retry_) {
    on_retry_(RetryEvent{call.operation, call.resource, failure.attempts, failure_reason(failure),
                         delay});
  }
}

bool AwsCaller::wait_before_retry(std::chrono::milliseconds delay) {
  const CallLimits& limits = current_call_limits();
  if (limits.cancel == nullptr) {
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    return true;
  }
  const auto until = CallClock::now() + delay;
  for (auto now = CallClock::now(); now < until; now = CallClock::now()) {
    if (limits.cancelled()) return false;
    std::this_thread::sleep_for(
        std::min<CallClock::duration>(until - now, k_cancel_check_interval));
  }
  return !limits.cancelled();
}

}  // namespace wc::aws
