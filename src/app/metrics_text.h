#pragma once
// The Prometheus text the metrics endpoint serves.

#include <cstdint>
#include <string>

#include "consumer/run_stats.h"

namespace wc::app {

/// widget_consumer_requests_total{outcome="…"}, widget_consumer_aws_calls_total,
/// widget_consumer_aws_retries_total, widget_consumer_uptime_seconds.
std::string metrics_text(const consumer::RunStats& stats, std::uint64_t aws_calls,
                         std::uint64_t aws_retries, double uptime_seconds);

}  // namespace wc::app
