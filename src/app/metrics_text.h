#pragma once
// The Prometheus text (exposition format 0.0.4) the metrics endpoint serves. Names and units
// follow Prometheus's conventions: a widget_consumer_ prefix, seconds, _total for counters,
// a _info gauge of 1 carrying the version.

#include <cstdint>
#include <string>
#include <string_view>

#include "app/aws_call_metrics.h"
#include "consumer/run_metrics.h"
#include "consumer/run_stats.h"

namespace wc::app {

struct MetricsInputs {
  const consumer::RunStats& stats;
  const consumer::RunMetrics& run;
  const AwsCallMetrics& aws;
  std::uint64_t aws_calls = 0;
  std::uint64_t aws_retries = 0;
  double uptime_seconds = 0;
  std::string_view version;
  bool ready = false;
};

/// widget_consumer_build_info{version}, _requests_total{outcome}, _dead_letters_total{reason},
/// _requests_in_flight, _oldest_request_age_seconds, _apply_duration_seconds (histogram),
/// _aws_calls_total, _aws_retries_total, _aws_request_duration_seconds{service,operation}
/// (histogram), _leases_renewed_total, _leases_lost_total,
/// _last_successful_poll_timestamp_seconds, _ready, _uptime_seconds.
std::string metrics_text(const MetricsInputs& inputs);

}  // namespace wc::app
