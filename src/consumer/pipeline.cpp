#include "consumer/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "aws/call_limits.h"
#include "consumer/poll_backoff.h"
#include "consumer/request_log.h"

namespace wc::consumer {

namespace {

// Enough requests handed out ahead that every runner has work while the next poll runs: 8 per
// runner, at most one per runner and 1,024 more. With hundreds of lanes busy, 8 per runner only
// held thousands of bodies in memory (at --concurrency 512 on 20 ms with a DynamoDB store:
// window 4,096 -> 1,536, peak RSS 70 -> 63 MB, requests/s unchanged).
constexpr std::size_t k_window_per_runner = 8;
constexpr std::size_t k_window_lookahead = 1'024;
constexpr std::size_t k_min_window = 16;
constexpr std::size_t k_min_poll_batch = 10;
constexpr std::chrono::milliseconds k_tick{50};
// The lister waits until this share of the window is free, so that it wakes once per batch of
// finished requests rather than once per request.
constexpr std::size_t k_refill_divisor = 8;

std::size_t window_of(const ConsumerOptions& options) {
  if (options.window) return options.window;
  const std::size_t runners = options.concurrency;
  return std::max(k_min_window,
                  std::min(runners * k_window_per_runner, runners + k_window_lookahead));
}

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
      stop_rules_{options.idle_timeout, options.max_runtime},
      source_outage_(options.outage_timeout),
      removal_outage_(options.outage_timeout),
      store_outage_(options.outage_timeout),
      dead_letter_outage_(options.outage_timeout),
      processor_(store, store_outage_, halt_, cut_, metrics),
      removals_(source, std::max<std::size_t>(options.max_removal_batch, 1),
                options.max_removal_delay, removal_outage_, halt_,
                [&metrics](const source::NotRemoved& lost) {
                  metrics.leases_lost(1);
                  spdlog::warn(
                      "lease lost: {}; the queue will deliver it again, and applying it "
                      "again changes nothing",
                      lost.error.message);
                }),
      progress_(options.progress_interval, options.retries),
      lister_count_(std::max<std::size_t>(options.pollers, 1)),
      dispatch_(window_of(options),
                std::max<std::size_t>(window_of(options) / k_refill_divisor, 1)) {}

Pipeline::~Pipeline() = default;

std::pair<StopReason, std::string> Pipeline::run() {
  started_ = Clock::now();
  last_work_ = started_;
  runners_ = std::make_unique<util::ThreadPool>(std::max<std::size_t>(options_.concurrency, 1));
  for (std::size_t i = 0; i < lister_count_; ++i) {
    listers_.emplace_back([this, i] { list_ahead(i); });
  }

  std::optional<StopReason> reason;
  while (!reason) {
    std::size_t in_hand = 0;
    {
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, k_tick);
      const auto now = Clock::now();
      if (!fatal_.empty()) {
        reason = StopReason::fatal_error;
      } else if (external_stop_.stop_requested()) {
        reason = StopReason::stop_requested;
      } else {
        reason = stop_due(stop_rules_, stop_state(now));
      }
      in_hand = dispatch_.in_hand();
    }
    removals_.flush_if_due();
    if (auto failure = removals_.failure()) fail(*failure);
    if (auto line = progress_.due(Clock::now(), started_, stats_, in_hand)) {
      spdlog::info("{}", *line);
    }
    metrics_.beat();
  }
  shut_down(Clock::now());
  std::lock_guard lock(mutex_);
  if (!fatal_.empty()) return {StopReason::fatal_error, fatal_};
  return {*reason, {}};
}

bool Pipeline::stopping() const {
  return halt_.stop_requested() || external_stop_.stop_requested();
}

StopState Pipeline::stop_state(Clock::time_point now) const {
  return StopState{now, started_, dispatch_.in_hand(), last_work_, last_fruitless_poll_};
}

void Pipeline::wake_listers() {
  if (lister_count_ > 1) {
    room_.notify_all();
  } else {
    room_.notify_one();
  }
}

bool Pipeline::may_poll(std::size_t index) const {
  // The first lister polls whenever there is room; the others only while the source is busy.
  return dispatch_.wants_refill(reserved_) && (index == 0 || busy_);
}

void Pipeline::list_ahead(std::size_t index) {
  // Any stop cuts a poll short, a long poll included.
  aws::CallScope scope({std::nullopt, &halt_.flag()});
  PollBackoff backoff;
  while (!stopping()) {
    {
      std::unique_lock lock(mutex_);
      room_.wait_for(lock, k_tick, [&] { return may_poll(index) || stopping(); });
      if (!may_poll(index)) continue;
    }
    if (poll_once(*runners_, index)) {
      backoff.reset();
      continue;
    }
    if (index > 0) continue;  // waits above until the source is busy again
    std::unique_lock lock(mutex_);
    changed_.notify_all();
    room_.wait_for(lock, backoff.next(), [this] { return poll_now_ || stopping(); });
    if (poll_now_) backoff.reset();
    poll_now_ = false;
  }
}

bool Pipeline::poll_once(util::ThreadPool& runners, std::size_t index) {
  std::size_t max = 0;
  Clock::time_point until;
  const auto poll_started = Clock::now();
  {
    std::lock_guard lock(mutex_);
    // Another lister took the room meanwhile: no poll to make now.
    if (!may_poll(index)) return true;
    const std::size_t batch = options_.poll_batch
                                  ? options_.poll_batch
                                  : std::max(options_.concurrency, k_min_poll_batch);
    max = std::min(dispatch_.room() - reserved_, batch);
    reserved_ += max;
    // Only the first lister waits for messages, and only while the source is not busy: polls
    // that overlap take what is there at once.
    const bool long_poll = index == 0 && (!busy_ || lister_count_ == 1);
    until = long_poll ? poll_deadline(stop_rules_, stop_state(poll_started)) : poll_started;
  }
  auto polled = metrics_.source_call([&] { return source_.poll(max, until); });
  {
    std::lock_guard lock(mutex_);
    reserved_ -= max;
    const bool was_busy = busy_;
    busy_ = polled && polled->size() >= max;
    if (busy_ && !was_busy) room_.notify_all();
  }
  if (polled && stopping()) {
    source_.give_back(*polled);
    return false;
  }
  if (!polled) {
    if (polled.error().fatal) {
      fail(polled.error().message);
      return false;
    }
    if (stopping()) return false;  // a poll cut short by the stop
    source_outage_.failed(polled.error().message, Clock::now());
    if (auto exceeded = source_outage_.exceeded(Clock::now())) {
      fail("request source " + source_.describe() + " " + *exceeded);
      return false;
    }
    spdlog::warn("{}; polling again later", polled.error().message);
    std::lock_guard lock(mutex_);
    last_fruitless_poll_ = poll_started;
    return false;
  }
  source_outage_.answered();
  if (polled->empty()) {
    std::lock_guard lock(mutex_);
    last_fruitless_poll_ = poll_started;
    return false;
  }
  std::vector<EntryPtr> entries;
  entries.reserve(polled->size());
  for (auto& request : *polled) entries.push_back(admit(std::move(request)));
  std::lock_guard lock(mutex_);
  for (auto& entry : entries) {
    const std::string lane = entry->lane();
    if (dispatch_.add(std::move(entry))) {
      ++running_lanes_;
      runners.submit([this, lane] { run_lane(lane); });
    }
  }
  last_work_ = Clock::now();
  return true;
}

EntryPtr Pipeline::admit(source::LeasedRequest request) {
  auto entry = std::make_shared<Entry>();
  entry->started = Clock::now();
  entry->tracked = metrics_.track(entry->started);
  entry->request = std::move(request);
  auto validated = processor_.validate(entry->request.body);
  if (auto* valid = std::get_if<model::WidgetRequest>(&validated)) {
    entry->valid = std::move(*valid);
  } else {
    entry->rejection = std::move(std::get<std::string>(validated));
  }
  return entry;
}

void Pipeline::run_lane(const std::string& lane) {
  while (true) {
    EntryPtr entry;
    {
      std::lock_guard lock(mutex_);
      entry = dispatch_.front(lane);
    }
    if (!entry) break;
    if (stopping()) {
      give_back_lane(lane, {});
      break;
    }
    const auto removed = removals_.ensure_removed(lane);
    if (removed == RemovalBatcher::Removed::failed) {
      give_back_lane(lane, {});
      break;
    }
    if (removed == RemovalBatcher::Removed::lease_lost) {
      give_back_lane(lane,
                     "an earlier request of its widget lost its lease before it was "
                     "removed and comes back first");
      break;
    }
    if (!run_entry(*entry)) {
      give_back_lane(lane, {});
      break;
    }
    bool more = false;
    bool emptied = false;
    {
      std::lock_guard lock(mutex_);
      more = dispatch_.pop(lane);
      last_work_ = Clock::now();
      emptied = dispatch_.in_hand() == 0;
      if (!emptied && dispatch_.just_refillable(reserved_)) wake_listers();
    }
    if (emptied) after_last_in_hand();
    if (!more) break;
  }
  std::lock_guard lock(mutex_);
  // Only the stop waits for lanes to end, and only for the last one; the main loop's tick
  // sees the rest (a wake per lane was an eighth of the futex calls on a busy run).
  if (--running_lanes_ == 0) changed_.notify_all();
}

void Pipeline::after_last_in_hand() {
  // Nothing in hand is left to batch the removals with: waiting for max_removal_delay would
  // only hold back what a removal unlocks (a FIFO group's next message is handed out once its
  // previous one is deleted), so they go now, and the next poll after them.
  removals_.flush_all();
  std::lock_guard lock(mutex_);
  poll_now_ = true;
  wake_listers();
  changed_.notify_all();
}

bool Pipeline::run_entry(Entry& entry) {
  const auto& key = entry.request.key;
  const std::string lane = entry.lane();
  FinalOutcome outcome = FinalOutcome::dead_lettered;
  std::optional<model::WidgetRequest> logged = entry.valid;
  if (!entry.request.exhausted.empty()) {
    std::string reason = entry.request.exhausted;
    if (auto last = last_errors_.of(key)) reason += "; last error here: " + *last;
    spdlog::error("{}: {}", key, reason);
    // Each delivery was a chance to apply it: the dead letter counts them as attempts.
    if (!dead_letter(entry, reason, static_cast<int>(entry.request.deliveries))) return false;
  } else if (!entry.valid) {
    spdlog::error("{}: rejected: {}", key, entry.rejection);
    if (!dead_letter(entry, entry.rejection, 1)) return false;
    outcome = FinalOutcome::rejected;
  } else {
    Processed processed = processor_.apply(*entry.valid, entry.request.lease);
    switch (processed.disposition) {
      case Disposition::fatal:
        fail(processed.reason);
        return false;
      case Disposition::given_back:
        last_errors_.remember(key, processed.reason);
        if (entry.request.lease.ends() && !stopping()) metrics_.leases_lost(1);
        if (!stopping()) {
          spdlog::warn("{}: not applied, left to {}: {}", key, source_.describe(),
                       processed.reason);
        }
        return false;
      case Disposition::failed:
        spdlog::error("{}: failed after {} attempts: {}", key, processed.attempts,
                      processed.reason);
        last_errors_.remember(key, processed.reason);
        if (!dead_letter(entry, processed.reason, processed.attempts)) return false;
        break;
      case Disposition::applied:
        outcome = final_outcome(*processed.outcome);
        if (outcome == FinalOutcome::missing) log_missing_widget(key, *entry.valid);
        break;
    }
  }
  stats_.count(outcome);
  log_request(key, logged, outcome, Clock::now() - entry.started);
  removals_.add(entry.request, lane);
  return true;
}

bool Pipeline::dead_letter(Entry& entry, const std::string& reason, int attempts) {
  const store::DeadLetter letter{source_.describe(), entry.request.key,
                                 entry.request.body, reason,
                                 attempts,           std::chrono::system_clock::now()};
  aws::CallScope scope({std::nullopt, &cut_});
  PollBackoff backoff;
  while (true) {
    auto kept = dead_letters_.keep(letter);
    if (kept) {
      dead_letter_outage_.answered();
      return true;
    }
    const store::StoreError& error = kept.error();
    if (error.kind == store::StoreErrorKind::interrupted) return false;
    if (error.kind != store::StoreErrorKind::transient) {
      fail(entry.request.key +
           ": could not be dead-lettered, left in the source: " + error.message);
      return false;
    }
    dead_letter_outage_.failed(error.message, Clock::now());
    if (auto exceeded = dead_letter_outage_.exceeded(Clock::now())) {
      fail(entry.request.key + ": could not be dead-lettered, left in the source: " +
           dead_letters_.describe() + " " + *exceeded);
      return false;
    }
    spdlog::warn("{}: could not be dead-lettered yet: {}", entry.request.key, error.message);
    if (!halt_.sleep_for(backoff.next())) return false;
  }
}

void Pipeline::give_back_lane(const std::string& lane, const std::string& why) {
  std::vector<EntryPtr> entries;
  {
    std::lock_guard lock(mutex_);
    entries = dispatch_.close(lane);
    last_work_ = Clock::now();  // giving back is work: idleness counts from here
    if (dispatch_.in_hand() == 0) changed_.notify_all();
    wake_listers();
  }
  if (entries.empty()) return;
  std::vector<source::LeasedRequest> requests;
  requests.reserve(entries.size());
  for (auto& entry : entries) requests.push_back(std::move(entry->request));
  if (!why.empty()) {
    spdlog::warn("{} request(s) of one widget, from {}, given back: {}", requests.size(),
                 requests.front().key, why);
  }
  source_.give_back(requests);
}

void Pipeline::fail(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (fatal_.empty()) fatal_ = message;
  halt_.request_stop();
  changed_.notify_all();
  room_.notify_all();
}

void Pipeline::shut_down(Clock::time_point stop_asked) {
  halt_.request_stop();
  room_.notify_all();
  for (auto& lister : listers_) {
    if (lister.joinable()) lister.join();
  }
  {
    // Requests in hand may finish (and be removed) within the grace; then their calls are cut
    // and they are left in the source.
    std::unique_lock lock(mutex_);
    if (!changed_.wait_until(lock, stop_asked + k_stop_grace,
                             [this] { return running_lanes_ == 0; })) {
      cut_ = true;
      spdlog::info("stopping: cutting {} request(s) in progress short; they stay in {}",
                   running_lanes_, source_.describe());
    }
  }
  cut_ = true;
  // What is left of the stop's budget bounds the last calls: removals and give-backs.
  aws::CallScope bounded({stop_asked + k_stop_budget, nullptr});
  runners_.reset();  // queued lanes see the stop and give their requests back
  removals_.flush_all();
  if (auto failure = removals_.failure()) fail(*failure);
  std::vector<source::LeasedRequest> unstarted;
  {
    std::lock_guard lock(mutex_);
    for (auto& entry : dispatch_.close_all()) unstarted.push_back(std::move(entry->request));
  }
  if (!unstarted.empty()) source_.give_back(unstarted);
}

}  // namespace wc::consumer
