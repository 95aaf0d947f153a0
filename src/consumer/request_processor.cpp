#include "consumer/request_processor.h"

#include "aws/call_limits.h"
#include "consumer/attempt_budgets.h"
#include "consumer/poll_backoff.h"

namespace wc::consumer {

namespace {

using Clock = std::chrono::steady_clock;

/// Whether the lease leaves time for a store call, and the CallLimits that end the call before
/// the queue may hand the message to someone else: a quarter of a term is needed, and the
/// call is cut a tenth of a term early, for the time the receive took to reach us.
std::optional<aws::CallLimits> limits_within(const source::Lease& lease,
                                             const std::atomic<bool>& cut) {
  if (!lease.ends()) return aws::CallLimits{std::nullopt, &cut};
  if (!lease.holds_for(lease.term() / 4, Clock::now())) return std::nullopt;
  return aws::CallLimits{lease.deadline() - lease.term() / 10, &cut};
}

Processed given_back(std::string reason, int attempts) {
  return Processed{Disposition::given_back, std::nullopt, std::move(reason), attempts};
}

}  // namespace

RequestProcessor::RequestProcessor(store::WidgetStore& store, Outage& store_outage,
                                   const StopFlag& halt, const std::atomic<bool>& cut,
                                   RunMetrics& metrics)
    : store_(store), store_outage_(store_outage), halt_(halt), cut_(cut), metrics_(metrics) {}

std::variant<model::WidgetRequest, std::string> RequestProcessor::validate(
    std::string_view body) const {
  auto parsed = model::parse_request(body);
  if (!parsed) return std::move(parsed.error().reason);
  if (auto reason = store_.rejection(*parsed)) return std::move(*reason);
  return std::move(*parsed);
}

Processed RequestProcessor::apply(const model::WidgetRequest& request,
                                  const source::Lease& lease) const {
  int attempts = 0;
  PollBackoff outage_backoff;
  while (true) {
    if (attempts > 0 && halt_.stop_requested())
      return given_back("the consumer is stopping", attempts);
    auto limits = limits_within(lease, cut_);
    if (!limits)
      return given_back("lease lost: it ends too soon to apply the request safely", attempts);
    aws::CallScope scope(*limits);
    ++attempts;
    const auto started = Clock::now();
    auto outcome = metrics_.store_call([&] { return store_.apply(request); });
    if (outcome) {
      metrics_.observe_apply(Clock::now() - started);
      store_outage_.answered();
      return Processed{Disposition::applied, *outcome, {}, attempts};
    }
    const store::StoreError& error = outcome.error();
    switch (error.kind) {
      case store::StoreErrorKind::fatal:
        return Processed{Disposition::fatal, std::nullopt, error.message, attempts};
      case store::StoreErrorKind::request:
        return Processed{Disposition::failed, std::nullopt, error.message, attempts};
      case store::StoreErrorKind::interrupted:
        return given_back(error.message, attempts);
      case store::StoreErrorKind::transient:
        break;
    }
    // Transient: the request is to blame only if the store answers otherwise.
    auto healthy = metrics_.store_call([this] { return store_.check(); });
    if (healthy) {
      store_outage_.answered();
      if (attempts >= k_store_attempts) {
        return Processed{Disposition::failed, std::nullopt, error.message, attempts};
      }
      if (!halt_.sleep_for(k_store_pause)) return given_back("the consumer is stopping", attempts);
      continue;
    }
    if (healthy.error().kind == store::StoreErrorKind::fatal) {
      return Processed{Disposition::fatal, std::nullopt, healthy.error().message, attempts};
    }
    if (healthy.error().kind == store::StoreErrorKind::interrupted) {
      return given_back(healthy.error().message, attempts);
    }
    // Unreachable: not this request's fault, and not counted against it.
    --attempts;
    store_outage_.failed(error.message, Clock::now());
    if (auto exceeded = store_outage_.exceeded(Clock::now())) {
      return Processed{Disposition::fatal, std::nullopt,
                       "widget store " + store_.describe() + " " + *exceeded, attempts};
    }
    if (!halt_.sleep_for(outage_backoff.next())) {
      return given_back("the consumer is stopping", attempts);
    }
  }
}

}  // namespace wc::consumer
