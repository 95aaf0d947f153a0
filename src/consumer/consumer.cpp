#include "consumer/consumer.h"

#include <spdlog/spdlog.h>

#include "consumer/pipeline.h"
#include "consumer/store_probe.h"

namespace wc::consumer {

Consumer::Consumer(source::RequestSource& source, store::WidgetStore& store,
                   store::DeadLetterSink& dead_letters, ConsumerOptions options,
                   const StopFlag& stop)
    : source_(source),
      store_(store),
      dead_letters_(dead_letters),
      options_(std::move(options)),
      stop_(stop),
      metrics_(options_.metrics ? *options_.metrics : own_metrics_) {}

std::optional<std::string> Consumer::check_all() {
  if (auto ok = source_.check(); !ok) return ok.error().message;
  if (auto ok = metrics_.store_call([this] { return store_.check(); }); !ok) {
    return ok.error().message;
  }
  if (auto ok = dead_letters_.check(); !ok) return ok.error();
  return std::nullopt;
}

RunResult Consumer::run() {
  auto started = std::chrono::steady_clock::now();
  RunResult result;
  metrics_.set_phase(Phase::starting);
  if (auto fatal = check_all()) {
    result.reason = StopReason::fatal_error;
    result.fatal_error = *fatal;
  } else {
    spdlog::info("consuming requests from {} into widget store {} ({} at a time); dead letters "
                 "go to {}",
                 source_.describe(), store_.describe(), options_.concurrency,
                 dead_letters_.describe());
    metrics_.set_phase(Phase::running);
    StoreProbe probe(store_, metrics_);
    Pipeline pipeline(source_, store_, dead_letters_, options_, stop_, stats_, metrics_);
    auto [reason, fatal_error] = pipeline.run();
    result.reason = reason;
    result.fatal_error = std::move(fatal_error);
  }
  metrics_.set_phase(Phase::stopping);
  result.stats = stats_;
  result.elapsed = std::chrono::steady_clock::now() - started;
  return result;
}

}  // namespace wc::consumer
