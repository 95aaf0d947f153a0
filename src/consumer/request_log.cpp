#include "consumer/request_log.h"

#include <spdlog/spdlog.h>

namespace wc::consumer {

namespace {

thread_local const RequestLogFields* t_current_fields = nullptr;

/// Publishes `fields` to the formatter for the duration of one log call.
class FieldsScope {
 public:
  explicit FieldsScope(const RequestLogFields& fields) { t_current_fields = &fields; }
  ~FieldsScope() { t_current_fields = nullptr; }
  FieldsScope(const FieldsScope&) = delete;
  FieldsScope& operator=(const FieldsScope&) = delete;
};

}  // namespace

const RequestLogFields* current_request_fields() { return t_current_fields; }

void log_request(std::string_view key, const std::optional<model::WidgetRequest>& request,
                 FinalOutcome outcome, std::chrono::steady_clock::duration latency) {
  double millis = std::chrono::duration<double, std::milli>(latency).count();
  std::string_view type = request ? model::to_string(request->type) : "-";
  std::string_view widget = request ? std::string_view(request->widget_id) : "-";
  RequestLogFields fields{key, request ? type : "", request ? widget : "", to_string(outcome),
                          millis};
  FieldsScope scope(fields);
  spdlog::info("{} {} {} {} {:.1f} ms", key, type, widget, to_string(outcome), millis);
}

void log_missing_widget(std::string_view key, const model::WidgetRequest& request) {
  // No outcome: the request's own line says it, and machines count requests by that field.
  RequestLogFields fields{key, model::to_string(request.type), request.widget_id, {}};
  FieldsScope scope(fields);
  spdlog::warn("{}: {} of widget {} (owner '{}') skipped: the widget does not exist", key,
               model::to_string(request.type), request.widget_id, request.owner);
}

}  // namespace wc::consumer
