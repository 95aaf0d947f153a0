#pragma once
// The per-request log lines of SPEC §8, in one place so their shape stays the same.

#include <chrono>
#include <optional>
#include <string_view>

#include "consumer/run_stats.h"
#include "model/request.h"

namespace wc::consumer {

/// INFO "{key} {type} {widgetId} {outcome} {latency} ms"; '-' stands for what did not parse.
void log_request(std::string_view key, const std::optional<model::WidgetRequest>& request,
                 FinalOutcome outcome, std::chrono::steady_clock::duration latency);

/// WARNING for an update or delete of a widget that does not exist.
void log_missing_widget(std::string_view key, const model::WidgetRequest& request);

/// The parts of a request line, for log formats that keep them apart (JSON). Empty views and a
/// negative latency are parts that do not apply; only log_request's line has an outcome, so
/// there is exactly one line with an outcome per request.
struct RequestLogFields {
  std::string_view key, type, widget, outcome;
  double latency_ms = -1;
};

/// The fields of the request line being logged on this thread right now, or null. Set only
/// for the duration of the log call: a formatter of a synchronous logger (which runs on the
/// calling thread) may read them.
const RequestLogFields* current_request_fields();

}  // namespace wc::consumer
