#include "consumer/request_log.h"

#include <spdlog/spdlog.h>

namespace wc::consumer {

void log_request(std::string_view key, const std::optional<model::WidgetRequest>& request,
                 FinalOutcome outcome, std::chrono::steady_clock::duration latency) {
  double millis = std::chrono::duration<double, std::milli>(latency).count();
  std::string_view type = request ? model::to_string(request->type) : "-";
  std::string_view widget = request ? std::string_view(request->widget_id) : "-";
  spdlog::info("{} {} {} {} {:.1f} ms", key, type, widget, to_string(outcome), millis);
}

void log_missing_widget(std::string_view key, const model::WidgetRequest& request) {
  spdlog::warn("{}: {} of widget {} (owner '{}') skipped: the widget does not exist", key,
               model::to_string(request.type), request.widget_id, request.owner);
}

}  // namespace wc::consumer
