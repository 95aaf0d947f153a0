#pragma once
// A minimal HTTP endpoint on loopback serving Prometheus text at /metrics and "ok" at
// /healthz, so users can watch what the pipeline does.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "util/expected.h"

namespace wc::app {

class MetricsServer {
 public:
  /// Produces the /metrics body (Prometheus text exposition format).
  using Render = std::function<std::string()>;

  MetricsServer() = default;
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// Listens on 127.0.0.1:port and serves from a thread of its own. The error names the port.
  util::Expected<void, std::string> start(int port, Render render);
  void stop();

 private:
  void serve();
  void answer(int client);

  Render render_;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace wc::app
