// widget-consumer: applies widget requests from a source to a widget store (SPEC.md).

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "app/aws_call_metrics.h"
#include "app/backends.h"
#include "app/command_line.h"
#include "app/logging.h"
#include "app/metrics_server.h"
#include "app/open_files.h"
#include "app/operations_endpoint.h"
#include "app/signals.h"
#include "app/thread_caches.h"
#include "consumer/consumer.h"

namespace {

constexpr int k_exit_ok = 0;
constexpr int k_exit_fatal = 1;

const char* describe(wc::consumer::StopReason reason) {
  switch (reason) {
    case wc::consumer::StopReason::idle_timeout:
      return "idle timeout";
    case wc::consumer::StopReason::max_runtime:
      return "maximum runtime reached";
    case wc::consumer::StopReason::stop_requested:
      return "stop requested";
    case wc::consumer::StopReason::fatal_error:
      return "fatal error";
  }
  return "unknown";
}

void log_retry(const wc::aws::RetryEvent& event) {
  spdlog::warn("retrying {} on {} after attempt {} failed ({}); waiting {} ms", event.operation,
               event.resource, event.attempt, event.reason, event.delay.count());
}

int run(const wc::app::Config& config) {
  if (auto logging = wc::app::set_up_logging(config.log_dir, config.log_file, config.log_format);
      !logging) {
    std::cerr << "widget-consumer: " << logging.error() << "\n";
    return k_exit_fatal;
  }
  const wc::app::OpenFileLimit files = wc::app::raise_open_file_limit();
  if (const auto needed = wc::app::open_files_needed(config.concurrency); needed > files.now) {
    spdlog::warn(
        "--concurrency {} may hold about {} files open at once, and this process may open {} "
        "(ulimit -n, hard limit included): calls would fail with \"too many open files\"; "
        "raise the limit or lower --concurrency",
        config.concurrency, needed, files.now);
  }
  // Before the backends: an SQS source may still report leases while it is destroyed.
  wc::consumer::RunMetrics run_metrics;
  wc::app::AwsCallMetrics aws_metrics;
  wc::app::BackendObservers observers;
  observers.on_retry = log_retry;
  observers.on_attempt = [&aws_metrics](const wc::aws::AttemptEvent& event) {
    aws_metrics.observe(event);
  };
  observers.on_leases = [&run_metrics](std::size_t renewed, std::size_t lost) {
    run_metrics.leases_renewed(renewed);
    run_metrics.leases_lost(lost);
  };
  auto backends = wc::app::make_backends(config, observers);
  if (!backends) {
    spdlog::error("cannot start: {}", backends.error());
    return k_exit_fatal;
  }
  wc::consumer::StopFlag stop;
  wc::app::stop_on_signals(stop);
  wc::consumer::ConsumerOptions options;
  options.idle_timeout = config.idle_timeout;
  options.max_runtime = config.max_runtime;
  options.outage_timeout = config.outage_timeout;
  options.concurrency = config.concurrency;
  options.window = backends->source_window;
  options.pollers = backends->source_pollers;
  options.poll_batch = backends->source_poll_batch;
  if (backends->source_removal_batch) options.max_removal_batch = backends->source_removal_batch;
  if (!config.progress) options.progress_interval = std::chrono::milliseconds(0);
  options.retries = [&backends] { return backends->aws_retries(); };
  options.metrics = &run_metrics;
  wc::consumer::Consumer consumer(*backends->source, *backends->store, *backends->dead_letters,
                                  options, stop);
  wc::app::MetricsServer metrics;
  if (config.metrics_port != 0) {
    auto served =
        wc::app::serve_operations(metrics, config, {consumer, aws_metrics, *backends, stop});
    if (!served) {
      spdlog::error("cannot start: {}", served.error());
      return k_exit_fatal;
    }
  }
  auto result = consumer.run();
  metrics.stop();
  // Nothing uses the source any more: it gives back what it still holds now (an SQS source's
  // messages, with retries), so that the summary is the last line and counts those calls.
  backends->source.reset();

  if (result.reason == wc::consumer::StopReason::fatal_error) {
    spdlog::error("stopping: {}", result.fatal_error);
  }
  spdlog::info("stopped ({}): {}", describe(result.reason), result.stats.summary(result.elapsed));
  if (backends->uses_aws()) {
    auto total = result.stats.total();
    spdlog::info(
        "AWS: {} calls ({:.2f} per request), {} retries", backends->aws_calls(),
        total ? static_cast<double>(backends->aws_calls()) / static_cast<double>(total) : 0.0,
        backends->aws_retries());
  }
  return result.reason == wc::consumer::StopReason::fatal_error ? k_exit_fatal : k_exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  wc::app::limit_thread_caches(argv);  // first: it may start the program again
  // curl runs with CURLOPT_NOSIGNAL, so a peer closing a connection must not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = wc::app::parse_command_line(args);
  if (auto* exit = std::get_if<wc::app::ParseExit>(&parsed)) {
    (exit->exit_code == 0 ? std::cout : std::cerr)
        << exit->message << (exit->exit_code == 0 ? "" : "\n");
    return exit->exit_code;
  }
  const int code = run(std::get<wc::app::Config>(parsed));
  // Only now: the backends, destroyed as run() returned, log too (an SQS source gives back the
  // messages it still holds, with retries), and a line logged after the shutdown crashed us.
  spdlog::shutdown();
  return code;
}
