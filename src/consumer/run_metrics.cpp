#include "consumer/run_metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace wc::consumer {

namespace {

long long whole_seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::seconds>(duration).count();
}

}  // namespace

void PeerHealth::call_started(Clock::time_point now) {
  if (in_progress_.fetch_add(1) == 0) busy_since_ = ticks(now);
}

void PeerHealth::answered(Clock::time_point now) {
  last_answer_ = ticks(now);
  last_end_ = ticks(now);
  last_answer_unix_ =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  failing_ = false;
}

void PeerHealth::failed(Clock::time_point now, std::string reason) {
  {
    std::lock_guard lock(reason_mutex_);
    reason_ = std::move(reason);
  }
  last_end_ = ticks(now);
  failing_ = true;
}

void PeerHealth::call_ended() { --in_progress_; }

Health PeerHealth::health(Clock::time_point now, Clock::duration no_answer_limit) const {
  if (failing_) {
    std::lock_guard lock(reason_mutex_);
    return {false, name_ + ": " + reason_};
  }
  if (in_progress_ > 0) {
    auto since =
        Clock::time_point(Clock::duration(std::max(busy_since_.load(), last_answer_.load())));
    if (now - since >= no_answer_limit) {
      return {false, fmt::format("{}: no answer for {} s", name_, whole_seconds(now - since))};
    }
  }
  return {};
}

PeerHealth::Clock::duration PeerHealth::quiet_for(Clock::time_point now) const {
  return now - Clock::time_point(Clock::duration(last_end_.load()));
}

double PeerHealth::last_answer_unix_seconds() const { return last_answer_unix_.load(); }

RunMetrics::Tracked& RunMetrics::Tracked::operator=(Tracked&& other) noexcept {
  if (this != &other) {
    reset();
    owner_ = std::exchange(other.owner_, nullptr);
    entry_ = other.entry_;
  }
  return *this;
}

void RunMetrics::Tracked::reset() {
  if (owner_ == nullptr) return;
  std::lock_guard lock(owner_->held_mutex_);
  owner_->held_.erase(entry_);
  owner_ = nullptr;
}

RunMetrics::Tracked RunMetrics::track(Clock::time_point taken) {
  Tracked tracked;
  std::lock_guard lock(held_mutex_);
  tracked.entry_ = held_.insert(taken);
  tracked.owner_ = this;
  return tracked;
}

std::size_t RunMetrics::in_flight() const {
  std::lock_guard lock(held_mutex_);
  return held_.size();
}

RunMetrics::Clock::duration RunMetrics::oldest_age(Clock::time_point now) const {
  std::lock_guard lock(held_mutex_);
  if (held_.empty()) return Clock::duration::zero();
  return std::max(now - *held_.begin(), Clock::duration::zero());
}

Health RunMetrics::liveness(Clock::time_point now) const {
  if (phase() != Phase::running) return {};
  auto silent = now - Clock::time_point(Clock::duration(last_beat_.load()));
  if (silent >= k_loop_stall_limit) {
    return {false, fmt::format("the dispatch loop has not run for {} s", whole_seconds(silent))};
  }
  return {};
}

Health RunMetrics::readiness(Clock::time_point now) const {
  switch (phase()) {
    case Phase::starting:
      return {false, "starting: checking the source and the store"};
    case Phase::stopping:
      return {false, "stopping"};
    case Phase::running:
      break;
  }
  if (auto source = source_.health(now, k_no_answer_limit); !source.ok) return source;
  return store_.health(now, k_no_answer_limit);
}

}  // namespace wc::consumer
