#include "app/metrics_text.h"

#include <fmt/format.h>

namespace wc::app {

std::string metrics_text(const consumer::RunStats& stats, std::uint64_t aws_calls,
                         std::uint64_t aws_retries, double uptime_seconds) {
  std::string text =
      "# HELP widget_consumer_requests_total Requests finished, by outcome.\n"
      "# TYPE widget_consumer_requests_total counter\n";
  for (std::size_t i = 0; i < consumer::k_final_outcomes; ++i) {
    auto outcome = static_cast<consumer::FinalOutcome>(i);
    text += fmt::format("widget_consumer_requests_total{{outcome=\"{}\"}} {}\n",
                        consumer::to_string(outcome), stats.count_of(outcome));
  }
  text += fmt::format(
      "# HELP widget_consumer_aws_calls_total HTTP requests sent to AWS, retries included.\n"
      "# TYPE widget_consumer_aws_calls_total counter\n"
      "widget_consumer_aws_calls_total {}\n"
      "# HELP widget_consumer_aws_retries_total AWS requests sent again after a transient "
      "failure.\n"
      "# TYPE widget_consumer_aws_retries_total counter\n"
      "widget_consumer_aws_retries_total {}\n"
      "# HELP widget_consumer_uptime_seconds Seconds since the consumer started.\n"
      "# TYPE widget_consumer_uptime_seconds gauge\n"
      "widget_consumer_uptime_seconds {:.3f}\n",
      aws_calls, aws_retries, uptime_seconds);
  return text;
}

}  // namespace wc::app
