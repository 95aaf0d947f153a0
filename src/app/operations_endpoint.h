#pragma once
// Wires the metrics endpoint to what it reports: the consumer's counters and health, AWS call
// timings and totals, the stop flag (a stopping consumer is not ready).

#include "app/aws_call_metrics.h"
#include "app/backends.h"
#include "app/config.h"
#include "app/metrics_server.h"
#include "consumer/consumer.h"
#include "consumer/stop_flag.h"
#include "util/expected.h"

namespace wc::app {

/// Everything the endpoint reads; all of it must outlive the server.
struct OperationsSources {
  const consumer::Consumer& consumer;
  const AwsCallMetrics& aws;
  const Backends& backends;
  const consumer::StopFlag& stop;
};

/// Starts `server` on config.metrics_address:metrics_port; logs where it listens.
util::Expected<void, std::string> serve_operations(MetricsServer& server, const Config& config,
                                                   const OperationsSources& sources);

}  // namespace wc::app
