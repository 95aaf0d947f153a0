#include "consumer/consumer.h"

#include <spdlog/spdlog.h>

#include <functional>

#include "consumer/outage.h"
#include "consumer/pipeline.h"
#include "consumer/poll_backoff.h"
#include "consumer/store_probe.h"

namespace wc::consumer {

namespace {

using Clock = std::chrono::steady_clock;

/// Opens one place: a transient failure is tried again (under the outage rule, the idle
/// timeout and the maximum runtime, which count from `started`); a fatal one ends the run.
template <typename OpenError>
std::optional<std::pair<StopReason, std::string>> open_place(
    const std::function<util::Expected<void, OpenError>()>& open,
    const std::function<bool(const OpenError&)>& fatal,
    const std::function<std::string(const OpenError&)>& message, const std::string& place,
    const ConsumerOptions& options, const StopFlag& stop, Clock::time_point started) {
  Outage outage(options.outage_timeout);
  PollBackoff backoff;
  while (true) {
    auto opened = open();
    if (opened) return std::nullopt;
    const std::string why = message(opened.error());
    if (fatal(opened.error())) return std::pair{StopReason::fatal_error, why};
    const auto now = Clock::now();
    outage.failed(why, now);
    if (auto exceeded = outage.exceeded(now)) {
      // exceeded() ends with the last error, which is `why`: say the place once.
      return std::pair{StopReason::fatal_error, place + " " + *exceeded};
    }
    if (options.max_runtime.count() > 0 && now - started >= options.max_runtime) {
      return std::pair{StopReason::max_runtime, std::string()};
    }
    if (options.idle_timeout.count() > 0 && now - started >= options.idle_timeout) {
      return std::pair{StopReason::idle_timeout, std::string()};
    }
    const auto wait = backoff.next();
    spdlog::warn("{}; trying again in {} ms", why, wait.count());
    if (!stop.sleep_for(wait)) return std::pair{StopReason::stop_requested, std::string()};
  }
}

}  // namespace

Consumer::Consumer(source::RequestSource& source, store::WidgetStore& store,
                   store::DeadLetterSink& dead_letters, ConsumerOptions options,
                   const StopFlag& stop)
    : source_(source),
      store_(store),
      dead_letters_(dead_letters),
      options_(std::move(options)),
      stop_(stop),
      metrics_(options_.metrics ? *options_.metrics : own_metrics_) {}

std::optional<std::pair<StopReason, std::string>> Consumer::open_all() {
  const auto started = Clock::now();
  using source::SourceError;
  using store::StoreError;
  const auto store_fatal = [](const StoreError& error) {
    return error.kind != store::StoreErrorKind::transient;
  };
  const auto store_message = [](const StoreError& error) { return error.message; };
  if (auto stop = open_place<SourceError>(
          [&] { return metrics_.source_call([&] { return source_.open(); }); },
          [](const SourceError& error) { return error.fatal; },
          [](const SourceError& error) { return error.message; },
          "request source " + source_.describe(), options_, stop_, started)) {
    return stop;
  }
  if (auto stop = open_place<StoreError>(
          [&] { return metrics_.store_call([&] { return store_.check(); }); }, store_fatal,
          store_message, "widget store " + store_.describe(), options_, stop_, started)) {
    return stop;
  }
  return open_place<StoreError>([&] { return dead_letters_.check(); }, store_fatal, store_message,
                                dead_letters_.describe(), options_, stop_, started);
}

RunResult Consumer::run() {
  auto started = Clock::now();
  RunResult result;
  metrics_.set_phase(Phase::starting);
  if (auto stop = open_all()) {
    result.reason = stop->first;
    result.fatal_error = stop->second;
  } else {
    spdlog::info(
        "consuming requests from {} into widget store {} ({} at a time); dead letters "
        "go to {}",
        source_.describe(), store_.describe(), options_.concurrency, dead_letters_.describe());
    metrics_.set_phase(Phase::running);
    StoreProbe probe(store_, metrics_);
    Pipeline pipeline(source_, store_, dead_letters_, options_, stop_, stats_, metrics_);
    auto [reason, fatal_error] = pipeline.run();
    result.reason = reason;
    result.fatal_error = std::move(fatal_error);
  }
  metrics_.set_phase(Phase::stopping);
  result.stats = stats_;
  result.elapsed = Clock::now() - started;
  return result;
}

}  // namespace wc::consumer
