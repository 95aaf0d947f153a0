#include "consumer/consumer.h"

#include <spdlog/spdlog.h>

#include "consumer/poll_backoff.h"
#include "consumer/request_log.h"
#include "consumer/request_processor.h"

namespace wc::consumer {

using Clock = std::chrono::steady_clock;

Consumer::Consumer(source::RequestSource& source, store::WidgetStore& store,
                   store::DeadLetterSink& dead_letters, ConsumerOptions options,
                   const StopFlag& stop)
    : source_(source), store_(store), dead_letters_(dead_letters), options_(options), stop_(stop) {}

std::optional<std::string> Consumer::check_all() {
  if (auto ok = source_.check(); !ok) return ok.error().message;
  if (auto ok = store_.check(); !ok) return ok.error().message;
  if (auto ok = dead_letters_.check(); !ok) return ok.error();
  return std::nullopt;
}

bool Consumer::out_of_time(Clock::time_point started) const {
  return options_.max_runtime.count() > 0 && Clock::now() - started >= options_.max_runtime;
}

RunResult Consumer::run() {
  RunResult result;
  auto started = Clock::now();
  if (auto fatal = check_all()) {
    result.reason = StopReason::fatal_error;
    result.fatal_error = *fatal;
    return result;
  }
  spdlog::info("consuming requests from {} into widget store {}; dead letters go to {}",
               source_.describe(), store_.describe(), dead_letters_.describe());

  PollBackoff backoff;
  auto idle_since = Clock::now();
  while (true) {
    if (stop_.stop_requested()) break;
    if (out_of_time(started)) {
      result.reason = StopReason::max_runtime;
      break;
    }
    auto batch = source_.poll(options_.poll_batch);
    if (!batch && batch.error().fatal) {
      result.reason = StopReason::fatal_error;
      result.fatal_error = batch.error().message;
      break;
    }
    if (!batch) spdlog::warn("{}; polling again later", batch.error().message);
    if (batch && !batch->empty()) {
      backoff.reset();
      std::optional<std::string> fatal;
      for (const auto& request : *batch) {
        if (stop_.stop_requested() || out_of_time(started)) break;
        if ((fatal = handle(request, result.stats))) break;
      }
      if (fatal) {
        result.reason = StopReason::fatal_error;
        result.fatal_error = *fatal;
        break;
      }
      idle_since = Clock::now();
      continue;
    }
    auto idle = Clock::now() - idle_since;
    if (options_.idle_timeout.count() > 0 && idle >= options_.idle_timeout) {
      result.reason = StopReason::idle_timeout;
      break;
    }
    auto wait = backoff.next();
    if (options_.idle_timeout.count() > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(options_.idle_timeout - idle);
      wait = std::min(wait, left + std::chrono::milliseconds(1));
    }
    stop_.sleep_for(wait);
  }
  result.elapsed = Clock::now() - started;
  return result;
}

std::optional<std::string> Consumer::read_body(const source::SourceRequest& request,
                                               std::optional<std::string>& fatal) {
  if (request.body) return request.body;
  PollBackoff backoff;
  while (!stop_.stop_requested()) {
    auto body = source_.read(request);
    if (body) {
      if (!*body) spdlog::warn("{}: request vanished from {} before it was read; skipped",
                               request.key, source_.describe());
      return std::move(*body);
    }
    if (body.error().fatal) {
      fatal = body.error().message;
      return std::nullopt;
    }
    // The request cannot be skipped (a later one may be for the same widget), so wait.
    spdlog::warn("{}: {}; reading it again later", request.key, body.error().message);
    stop_.sleep_for(backoff.next());
  }
  return std::nullopt;
}

std::optional<std::string> Consumer::handle(const source::SourceRequest& request,
                                            RunStats& stats) {
  auto started = Clock::now();
  std::optional<std::string> fatal;
  auto body = read_body(request, fatal);
  if (!body) return fatal;

  RequestProcessor processor(store_, stop_);
  Processed processed = processor.process(*body);
  FinalOutcome outcome = FinalOutcome::rejected;
  switch (processed.disposition) {
    case Disposition::fatal: return processed.reason;
    case Disposition::abandoned: return std::nullopt;
    case Disposition::applied:
      outcome = final_outcome(*processed.outcome);
      if (outcome == FinalOutcome::missing) log_missing_widget(request.key, *processed.request);
      break;
    case Disposition::rejected:
      spdlog::error("{}: rejected: {}", request.key, processed.reason);
      if ((fatal = dead_letter(request, *body, processed.reason, 1))) return fatal;
      break;
    case Disposition::failed:
      outcome = FinalOutcome::dead_lettered;
      spdlog::error("{}: failed after {} attempts: {}", request.key, processed.attempts,
                    processed.reason);
      if ((fatal = dead_letter(request, *body, processed.reason, processed.attempts))) {
        return fatal;
      }
      break;
  }
  if (auto removed = source_.remove(request); !removed) {
    // Going on could apply a later request for this widget before this one is gone, and a
    // replay would then undo it: stop instead.
    return request.key + ": applied but could not be removed: " + removed.error().message;
  }
  stats.count(outcome);
  log_request(request.key, processed.request, outcome, Clock::now() - started);
  return std::nullopt;
}

std::optional<std::string> Consumer::dead_letter(const source::SourceRequest& request,
                                                 const std::string& body,
                                                 const std::string& reason, int attempts) {
  store::DeadLetter letter{source_.describe(), request.key, body, reason, attempts,
                           std::chrono::system_clock::now()};
  if (auto kept = dead_letters_.keep(letter); !kept) {
    return request.key + ": could not be dead-lettered, left in the source: " + kept.error();
  }
  return std::nullopt;
}

}  // namespace wc::consumer
