#include "consumer/request_processor.h"

namespace wc::consumer {

RequestProcessor::RequestProcessor(store::WidgetStore& store, const StopFlag& stop,
                                   RunMetrics& metrics)
    : store_(store), stop_(stop), metrics_(metrics) {}

std::variant<model::WidgetRequest, std::string> RequestProcessor::validate(
    std::string_view body) const {
  auto parsed = model::parse_request(body);
  if (!parsed) return std::move(parsed.error().reason);
  if (auto reason = store_.rejection(*parsed)) return std::move(*reason);
  return std::move(*parsed);
}

Processed RequestProcessor::apply(model::WidgetRequest request) const {
  Processed processed;
  const auto started = RunMetrics::Clock::now();
  for (int attempt = 1; attempt <= k_max_attempts; ++attempt) {
    processed.attempts = attempt;
    auto outcome = metrics_.store_call([&] { return store_.apply(request); });
    if (outcome) {
      processed.disposition = Disposition::applied;
      processed.outcome = *outcome;
      break;
    }
    processed.reason = outcome.error().message;
    if (outcome.error().kind == store::StoreErrorKind::fatal) {
      processed.disposition = Disposition::fatal;
      break;
    }
    if (outcome.error().kind == store::StoreErrorKind::request) {
      processed.disposition = Disposition::failed;
      break;
    }
    // Transient: try again, unless the store as a whole has gone away, in which case the
    // request is not to blame and must stay in the source.
    if (auto healthy = metrics_.store_call([this] { return store_.check(); }); !healthy) {
      processed.disposition = Disposition::fatal;
      processed.reason = healthy.error().message;
      break;
    }
    processed.disposition = Disposition::failed;
    if (attempt < k_max_attempts && !stop_.sleep_for(k_attempt_pause)) {
      processed.disposition = Disposition::abandoned;
      break;
    }
  }
  metrics_.observe_apply(RunMetrics::Clock::now() - started);
  processed.request = std::move(request);
  return processed;
}

}  // namespace wc::consumer
