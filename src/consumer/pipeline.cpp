#include "consumer/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "consumer/poll_backoff.h"
#include "consumer/request_log.h"

namespace wc::consumer {

namespace {

// Enough requests handed out ahead that every worker has work while bodies are being read.
constexpr std::size_t k_window_per_worker = 8;
constexpr std::size_t k_min_window = 16;
constexpr std::chrono::milliseconds k_dispatch_tick{50};
// The lister waits until this share of the window is free, so that it wakes once per batch of
// finished requests rather than once per request.
constexpr std::size_t k_refill_divisor = 8;

}  // namespace

Pipeline::Pipeline(source::RequestSource& source, store::WidgetStore& store,
                   store::DeadLetterSink& dead_letters, const ConsumerOptions& options,
                   const StopFlag& stop, RunStats& stats, RunMetrics& metrics)
    : source_(source),
      store_(store),
      dead_letters_(dead_letters),
      options_(options),
      external_stop_(stop),
      stats_(stats),
      metrics_(metrics),
      processor_(store, halt_, metrics),
      removals_(source, std::max<std::size_t>(options.max_removal_batch, 1),
                options.max_removal_delay, {}),
      window_(options.window ? options.window
                             : std::max(k_min_window, options.concurrency * k_window_per_worker)),
      refill_at_(std::max<std::size_t>(window_ / k_refill_divisor, 1)) {}

std::pair<StopReason, std::string> Pipeline::run() {
  auto started = Clock::now();
  idle_since_ = started;
  std::size_t threads = std::max<std::size_t>(options_.concurrency, 1);
  fetchers_ = std::make_unique<ThreadPool>(threads);
  workers_ = std::make_unique<ThreadPool>(threads);
  lister_ = std::thread([this] { list_ahead(); });

  auto last_progress = started;
  std::optional<StopReason> reason;
  while (!reason) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, k_dispatch_tick);
      reason = stop_reason(started);
      if (!reason) dispatch_ready();
    }
    removals_.flush_if_due();
    if (auto failure = removals_.failure()) fail(*failure);
    log_progress(last_progress, started);
    metrics_.beat();
  }
  halt_.request_stop();
  shut_down();
  std::lock_guard lock(mutex_);
  if (!fatal_.empty()) return {StopReason::fatal_error, fatal_};
  return {*reason, {}};
}

// A stop asked from outside (a signal) takes effect at once: no lane starts another request,
// even before the dispatch loop has noticed it and halted everything.
bool Pipeline::stopping() const {
  return halt_.stop_requested() || external_stop_.stop_requested();
}

std::optional<StopReason> Pipeline::stop_reason(Clock::time_point started) {
  if (!fatal_.empty()) return StopReason::fatal_error;
  if (external_stop_.stop_requested()) return StopReason::stop_requested;
  auto now = Clock::now();
  if (options_.max_runtime.count() > 0 && now - started >= options_.max_runtime) {
    return StopReason::max_runtime;
  }
  // Idle: nothing in hand, a poll that began after the last work found nothing, and that for
  // the whole idle timeout.
  bool idle = in_window_ == 0 && last_empty_poll_ >= idle_since_;
  if (idle && options_.idle_timeout.count() > 0 && now - idle_since_ >= options_.idle_timeout) {
    return StopReason::idle_timeout;
  }
  return std::nullopt;
}

void Pipeline::list_ahead() {
  PollBackoff backoff;
  while (!stopping()) {
    std::size_t room = 0;
    {
      std::unique_lock lock(mutex_);
      room_.wait_for(lock, k_dispatch_tick, [this] { return free_in_window() >= refill_at_; });
      if (free_in_window() < refill_at_) continue;
      room = free_in_window();
    }
    auto poll_started = Clock::now();
    auto batch = metrics_.source_call([&] { return source_.poll(room); });
    if (!batch) {
      if (batch.error().fatal) return fail(batch.error().message);
      spdlog::warn("{}; polling again later", batch.error().message);
    } else if (stopping()) {
      source_.release(*batch);
      return;
    } else if (!batch->empty()) {
      backoff.reset();
      std::lock_guard lock(mutex_);
      for (auto& request : *batch) {
        auto entry = std::make_shared<Entry>();
        entry->request = std::move(request);
        entry->started = Clock::now();
        entry->tracked = metrics_.track(entry->started);
        pending_.push_back(entry);
        fetchers_->submit([this, entry] { fetch(entry); });
      }
      in_window_ += batch->size();
      idle_since_ = Clock::now();
      continue;
    }
    {
      std::unique_lock lock(mutex_);
      if (batch) last_empty_poll_ = poll_started;
      changed_.notify_all();
      room_.wait_for(lock, backoff.next(), [this] { return poll_now_; });
      if (poll_now_) backoff.reset();
      poll_now_ = false;
    }
  }
}

std::optional<std::string> Pipeline::read_body(const source::SourceRequest& request,
                                               bool& vanished) {
  if (request.body) return request.body;
  PollBackoff backoff;
  while (!halt_.stop_requested()) {
    auto body = source_.read(request);
    if (body) {
      vanished = !body->has_value();
      return std::move(*body);
    }
    if (body.error().fatal) {
      fail(body.error().message);
      return std::nullopt;
    }
    // The request cannot be skipped (a later one may be for the same widget), so wait.
    spdlog::warn("{}: {}; reading it again later", request.key, body.error().message);
    halt_.sleep_for(backoff.next());
  }
  return std::nullopt;
}

void Pipeline::fetch(const EntryPtr& entry) {
  bool vanished = false;
  auto body = read_body(entry->request, vanished);
  if (!body && !vanished) return;  // stopping: the entry is released at shut-down
  std::optional<model::WidgetRequest> valid;
  std::string rejection;
  if (vanished) {
    spdlog::warn("{}: request vanished from {} before it was read; skipped", entry->request.key,
                 source_.describe());
  } else {
    auto validated = processor_.validate(*body);
    if (auto* request = std::get_if<model::WidgetRequest>(&validated)) {
      valid = std::move(*request);
    } else {
      rejection = std::move(std::get<std::string>(validated));
    }
  }
  std::lock_guard lock(mutex_);
  entry->ready = true;
  entry->vanished = vanished;
  if (body) entry->body = std::move(*body);
  entry->valid = std::move(valid);
  entry->rejection = std::move(rejection);
  // Handing out from here, not from the dispatch loop, saves waking that loop per request.
  if (!pending_.empty() && entry == pending_.front()) dispatch_ready();
}

void Pipeline::dispatch_ready() {
  while (!pending_.empty() && pending_.front()->ready && !stopping()) {
    EntryPtr entry = std::move(pending_.front());
    pending_.pop_front();
    if (entry->vanished) {
      leave_window();
      continue;
    }
    if (!entry->valid) {
      workers_->submit([this, entry] { finish_rejected(entry); });
      continue;
    }
    auto& lane = lanes_[entry->valid->widget_id];
    lane.push_back(entry);
    if (lane.size() == 1) {
      workers_->submit([this, id = entry->valid->widget_id] { run_lane(id); });
    }
  }
}

void Pipeline::run_lane(const std::string& lane) {
  while (true) {
    EntryPtr entry;
    {
      std::lock_guard lock(mutex_);
      entry = lanes_.at(lane).front();
    }
    if (stopping() || !removals_.ensure_removed(lane)) return abandon_lane(lane);
    // A queue may have handed the request to another consumer meanwhile (its visibility ran
    // out): skip it rather than race that one; the source hands it out again later.
    const bool skipped = !source_.still_held(entry->request);
    if (!skipped && !apply(entry)) return abandon_lane(lane);
    std::lock_guard lock(mutex_);
    leave_window();
    auto& queue = lanes_.at(lane);
    queue.pop_front();
    if (queue.empty()) {
      lanes_.erase(lane);
      return;
    }
  }
}

bool Pipeline::apply(const EntryPtr& entry) {
  Processed processed = processor_.apply(*entry->valid);
  const auto& key = entry->request.key;
  FinalOutcome outcome = FinalOutcome::dead_lettered;
  switch (processed.disposition) {
    case Disposition::fatal: fail(processed.reason); return false;
    case Disposition::abandoned: return false;
    case Disposition::rejected:  // validate() already took these out
    case Disposition::failed:
      spdlog::error("{}: failed after {} attempts: {}", key, processed.attempts, processed.reason);
      if (!dead_letter(entry, processed.reason, processed.attempts)) return false;
      break;
    case Disposition::applied:
      outcome = final_outcome(*processed.outcome);
      if (outcome == FinalOutcome::missing) log_missing_widget(key, *entry->valid);
      break;
  }
  stats_.count(outcome);
  log_request(key, entry->valid, outcome, Clock::now() - entry->started);
  removals_.add(entry->request, entry->valid->widget_id);
  return true;
}

void Pipeline::finish_rejected(const EntryPtr& entry) {
  spdlog::error("{}: rejected: {}", entry->request.key, entry->rejection);
  if (!dead_letter(entry, entry->rejection, 1)) {
    std::lock_guard lock(mutex_);
    released_.push_back(entry->request);
    return;
  }
  stats_.count(FinalOutcome::rejected);
  log_request(entry->request.key, std::nullopt, FinalOutcome::rejected,
              Clock::now() - entry->started);
  removals_.add(entry->request, {});
  std::lock_guard lock(mutex_);
  leave_window();
}

bool Pipeline::dead_letter(const EntryPtr& entry, const std::string& reason, int attempts) {
  store::DeadLetter letter{source_.describe(), entry->request.key, entry->body, reason, attempts,
                           std::chrono::system_clock::now()};
  if (auto kept = dead_letters_.keep(letter); !kept) {
    fail(entry->request.key + ": could not be dead-lettered, left in the source: " + kept.error());
    return false;
  }
  return true;
}

void Pipeline::abandon_lane(const std::string& lane) {
  std::lock_guard lock(mutex_);
  for (const auto& entry : lanes_.at(lane)) released_.push_back(entry->request);
  lanes_.erase(lane);
}

// A request leaves the window once it is finished and queued for removal, not once removed:
// a removal batch waits up to max_removal_delay, and holding the window that long would cap
// throughput at window / delay. Queued removals are bounded by the batch size, and the source
// does not hand a queued key out again.
void Pipeline::leave_window() {
  if (--in_window_ == 0) {
    idle_since_ = Clock::now();
    poll_now_ = true;
    room_.notify_one();
    changed_.notify_all();
  } else if (free_in_window() == refill_at_) {
    room_.notify_one();
  }
}

void Pipeline::fail(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (fatal_.empty()) fatal_ = message;
  halt_.request_stop();
  changed_.notify_all();
  room_.notify_all();
}

void Pipeline::log_progress(Clock::time_point& last_progress, Clock::time_point started) {
  if (options_.progress_interval.count() == 0) return;
  auto now = Clock::now();
  if (now - last_progress < options_.progress_interval) return;
  last_progress = now;
  double seconds = std::chrono::duration<double>(now - started).count();
  std::size_t in_flight = 0;
  {
    std::lock_guard lock(mutex_);
    in_flight = in_window_;
  }
  spdlog::info("progress: {} done ({:.1f} requests/s), {} rejected, {} dead-lettered, {} retries, "
               "{} in flight",
               stats_.total(), static_cast<double>(stats_.total()) / seconds,
               stats_.count_of(FinalOutcome::rejected),
               stats_.count_of(FinalOutcome::dead_lettered),
               options_.retries ? options_.retries() : 0, in_flight);
}

void Pipeline::shut_down() {
  room_.notify_all();
  if (lister_.joinable()) lister_.join();
  fetchers_.reset();  // fetches stop waiting once halted
  workers_.reset();   // lanes finish the request in hand and give back the rest
  removals_.flush();
  if (auto failure = removals_.failure()) fail(*failure);
  std::vector<source::SourceRequest> unstarted;
  {
    std::lock_guard lock(mutex_);
    unstarted = std::move(released_);
    for (const auto& entry : pending_) unstarted.push_back(entry->request);
    pending_.clear();
  }
  if (!unstarted.empty()) source_.release(unstarted);
}

}  // namespace wc::consumer
