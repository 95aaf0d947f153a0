#include "app/operations_endpoint.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "app/metrics_text.h"

namespace wc::app {

namespace {

consumer::Health readiness(const OperationsSources& sources) {
  // A signal takes a moment to reach the pipeline; the probe says so at once.
  if (sources.stop.stop_requested()) return {false, "stopping"};
  return sources.consumer.metrics().readiness(consumer::RunMetrics::Clock::now());
}

}  // namespace

util::Expected<void, std::string> serve_operations(MetricsServer& server, const Config& config,
                                                   const OperationsSources& sources) {
  const auto started = std::chrono::steady_clock::now();
  MetricsServer::Handlers handlers;
  handlers.metrics = [sources, started] {
    const auto uptime = std::chrono::steady_clock::now() - started;
    return metrics_text({.stats = sources.consumer.stats(),
                         .run = sources.consumer.metrics(),
                         .aws = sources.aws,
                         .aws_calls = sources.backends.aws_calls(),
                         .aws_retries = sources.backends.aws_retries(),
                         .uptime_seconds = std::chrono::duration<double>(uptime).count(),
                         .version = WC_VERSION,
                         .ready = readiness(sources).ok});
  };
  handlers.liveness = [sources] {
    return sources.consumer.metrics().liveness(consumer::RunMetrics::Clock::now());
  };
  handlers.readiness = [sources] { return readiness(sources); };
  if (auto served = server.start(config.metrics_address, config.metrics_port, handlers); !served) {
    return served;
  }
  const bool ipv6 = config.metrics_address.find(':') != std::string::npos;
  spdlog::info("metrics at http://{}{}{}:{}/metrics, health at /healthz and /readyz",
               ipv6 ? "[" : "", config.metrics_address, ipv6 ? "]" : "", server.port());
  return {};
}

}  // namespace wc::app
