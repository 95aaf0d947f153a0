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

}  // namespace wc::consumer
