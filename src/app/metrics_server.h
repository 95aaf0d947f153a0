#pragma once
// The operations endpoint: Prometheus text at /metrics, liveness at /healthz, readiness at
// /readyz (200 "ok", or 503 with the reason). Query strings are ignored, so a scraper or probe
// that adds parameters is answered the same. Each connection gets a thread of its own (up to
// k_max_connections at once, then they wait), so idle keep-alive connections never hold up a
// scrape or a probe.

#include <functional>
#include <memory>
#include <string>

#include "consumer/run_metrics.h"
#include "util/expected.h"

namespace wc::app {

class MetricsServer {
 public:
  static constexpr std::size_t k_max_connections = 64;

  struct Handlers {
    std::function<std::string()> metrics;  ///< the /metrics body
    std::function<consumer::Health()> liveness;
    std::function<consumer::Health()> readiness;
  };

  MetricsServer();
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// Listens on address:port (port 0: any free port) and serves from threads of its own until
  /// stop(). The error names the address, the port and the cause.
  util::Expected<void, std::string> start(const std::string& address, int port, Handlers handlers);
  /// The port listened on, once started.
  int port() const { return port_; }
  /// Stops listening and waits for the connections in progress. Safe to call twice.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace wc::app
