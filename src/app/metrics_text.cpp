#include "app/metrics_text.h"

#include <fmt/format.h>

namespace wc::app {

namespace {

/// A label value as the exposition format wants it: backslash, quote and newline escaped.
std::string label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void header(std::string& text, std::string_view name, std::string_view type,
            std::string_view help) {
  text += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

/// `labels` is empty or `a="x",b="y"`.
void histogram(std::string& text, std::string_view name, std::string_view labels,
               const util::DurationHistogram::Snapshot& snapshot) {
  const std::string separator = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i < snapshot.bounds.size(); ++i) {
    text += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, separator,
                        snapshot.bounds[i], snapshot.cumulative[i]);
  }
  text += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, separator, snapshot.count);
  const std::string braces = labels.empty() ? "" : fmt::format("{{{}}}", labels);
  text += fmt::format("{}_sum{} {:.6f}\n{}_count{} {}\n", name, braces, snapshot.sum_seconds, name,
                      braces, snapshot.count);
}

void request_metrics(std::string& text, const MetricsInputs& in) {
  header(text, "widget_consumer_requests_total", "counter", "Requests finished, by outcome.");
  for (std::size_t i = 0; i < consumer::k_final_outcomes; ++i) {
    auto outcome = static_cast<consumer::FinalOutcome>(i);
    text += fmt::format("widget_consumer_requests_total{{outcome=\"{}\"}} {}\n",
                        consumer::to_string(outcome), in.stats.count_of(outcome));
  }
  header(text, "widget_consumer_dead_letters_total", "counter",
         "Requests kept in the dead-letter place: rejected as invalid, or failed (the store "
         "kept refusing them).");
  text += fmt::format(
      "widget_consumer_dead_letters_total{{reason=\"rejected\"}} {}\n"
      "widget_consumer_dead_letters_total{{reason=\"failed\"}} {}\n",
      in.stats.count_of(consumer::FinalOutcome::rejected),
      in.stats.count_of(consumer::FinalOutcome::dead_lettered));
  const auto now = consumer::RunMetrics::Clock::now();
  header(text, "widget_consumer_requests_in_flight", "gauge",
         "Requests taken from the source and not yet finished.");
  text += fmt::format("widget_consumer_requests_in_flight {}\n", in.run.in_flight());
  header(text, "widget_consumer_oldest_request_age_seconds", "gauge",
         "How long the oldest request in flight has been waiting since it was taken from the "
         "source (0 when none).");
  text += fmt::format("widget_consumer_oldest_request_age_seconds {:.3f}\n",
                      std::chrono::duration<double>(in.run.oldest_age(now)).count());
  header(text, "widget_consumer_apply_duration_seconds", "histogram",
         "Time the store took to apply one request, attempts and pauses between them "
         "included.");
  histogram(text, "widget_consumer_apply_duration_seconds", "",
            in.run.apply_durations().snapshot());
}

void aws_metrics(std::string& text, const MetricsInputs& in) {
  header(text, "widget_consumer_aws_calls_total", "counter",
         "HTTP requests sent to AWS, retries included.");
  text += fmt::format("widget_consumer_aws_calls_total {}\n", in.aws_calls);
  header(text, "widget_consumer_aws_retries_total", "counter",
         "AWS requests sent again after a transient failure.");
  text += fmt::format("widget_consumer_aws_retries_total {}\n", in.aws_retries);
  header(text, "widget_consumer_aws_request_duration_seconds", "histogram",
         "Time from sending one HTTP request to AWS to its whole answer, by service and "
         "operation (each retry counts on its own).");
  for (const auto& series : in.aws.snapshot()) {
    histogram(text, "widget_consumer_aws_request_duration_seconds",
              fmt::format("service=\"{}\",operation=\"{}\"", label_value(series.service),
                          label_value(series.operation)),
              series.durations);
  }
}

void source_metrics(std::string& text, const MetricsInputs& in) {
  header(text, "widget_consumer_leases_renewed_total", "counter",
         "Queue message leases (visibility timeouts) extended while the message was held.");
  text += fmt::format("widget_consumer_leases_renewed_total {}\n", in.run.leases_renewed_total());
  header(text, "widget_consumer_leases_lost_total", "counter",
         "Queue message leases that could not be extended in time: another consumer may "
         "receive the message.");
  text += fmt::format("widget_consumer_leases_lost_total {}\n", in.run.leases_lost_total());
  header(text, "widget_consumer_last_successful_poll_timestamp_seconds", "gauge",
         "When the source last answered a poll, in seconds since the Unix epoch (0: never).");
  text += fmt::format("widget_consumer_last_successful_poll_timestamp_seconds {:.3f}\n",
                      in.run.source().last_answer_unix_seconds());
}

}  // namespace

std::string metrics_text(const MetricsInputs& in) {
  std::string text;
  header(text, "widget_consumer_build_info", "gauge",
         "Always 1; the labels say which widget-consumer is running.");
  text += fmt::format("widget_consumer_build_info{{version=\"{}\"}} 1\n", label_value(in.version));
  request_metrics(text, in);
  aws_metrics(text, in);
  source_metrics(text, in);
  header(text, "widget_consumer_ready", "gauge",
         "1 when /readyz answers 200: consuming, and the source and the store answer.");
  text += fmt::format("widget_consumer_ready {}\n", in.ready ? 1 : 0);
  header(text, "widget_consumer_uptime_seconds", "gauge", "Seconds since the consumer started.");
  text += fmt::format("widget_consumer_uptime_seconds {:.3f}\n", in.uptime_seconds);
  return text;
}

}  // namespace wc::app
