#include "consumer/removal_batcher.h"

#include <algorithm>
#include <iterator>

#include "consumer/poll_backoff.h"

namespace wc::consumer {

RemovalBatcher::RemovalBatcher(source::RequestSource& source, std::size_t max_batch,
                               std::chrono::milliseconds max_delay, Outage& outage,
                               const StopFlag& halt, OnLeaseLost on_lease_lost)
    : source_(source),
      max_batch_(max_batch),
      max_delay_(max_delay),
      outage_(outage),
      halt_(halt),
      on_lease_lost_(std::move(on_lease_lost)) {}

void RemovalBatcher::add(source::LeasedRequest request, std::string lane) {
  bool full = false;
  {
    std::lock_guard lock(mutex_);
    if (queued_.empty()) oldest_ = std::chrono::steady_clock::now();
    ++waiting_lanes_[lane];
    queued_lanes_.insert(lane);
    queued_.push_back(Item{std::move(request), std::move(lane)});
    full = queued_.size() >= max_batch_;
  }
  if (full) flush();
}

bool RemovalBatcher::lane_waits(const std::string& lane) const {
  return waiting_lanes_.count(lane) > 0;
}

RemovalBatcher::Removed RemovalBatcher::ensure_removed(const std::string& lane) {
  std::unique_lock lock(mutex_);
  while (lane_waits(lane) && !failure_) {
    if (queued_lanes_.count(lane) == 0) {
      flushed_.wait(lock);  // in a flush under way
    } else {
      lock.unlock();
      flush();
      lock.lock();
    }
  }
  if (failure_) return Removed::failed;
  if (lost_lanes_.erase(lane) > 0) return Removed::lease_lost;
  return Removed::yes;
}

void RemovalBatcher::flush_if_due() {
  {
    std::lock_guard lock(mutex_);
    if (queued_.empty() || std::chrono::steady_clock::now() - oldest_ < max_delay_) return;
  }
  flush();
}

void RemovalBatcher::flush() {
  std::vector<Item> items;
  {
    std::lock_guard lock(mutex_);
    if (queued_.empty()) return;
    // Several flushes may be under way at once (a queue deletes 10 messages per call): a lane
    // has at most one request here, since it waits for it to be gone before its next one.
    const std::size_t take = std::min(queued_.size(), max_batch_);
    items.assign(std::make_move_iterator(queued_.begin()),
                 std::make_move_iterator(queued_.begin() + static_cast<std::ptrdiff_t>(take)));
    queued_.erase(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(take));
    for (const auto& item : items) queued_lanes_.erase(item.lane);
    ++flushes_;
    in_flush_ += items.size();
  }
  remove_now(std::move(items));
}

void RemovalBatcher::flush_all() {
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (queued_.empty()) {
        flushed_.wait(lock, [this] { return flushes_ == 0; });
        if (queued_.empty()) return;
      }
    }
    flush();
  }
}

void RemovalBatcher::remove_now(std::vector<Item> items) {
  std::vector<source::LeasedRequest> pending;
  pending.reserve(items.size());
  for (const auto& item : items) pending.push_back(item.request);

  std::vector<source::NotRemoved> lost;
  std::optional<std::string> failure;
  PollBackoff backoff;
  while (!pending.empty()) {
    auto result = source_.acknowledge(pending);
    std::vector<source::NotRemoved> not_removed;
    if (!result) {
      for (auto& request : pending) not_removed.push_back({request, result.error(), false});
    } else {
      not_removed = std::move(*result);
    }
    pending.clear();
    std::string transient;
    for (auto& entry : not_removed) {
      if (entry.lease_lost) {
        lost.push_back(std::move(entry));
      } else if (entry.error.fatal) {
        failure = entry.request.key + ": applied but could not be removed: " + entry.error.message;
      } else {
        transient = entry.error.message;
        pending.push_back(std::move(entry.request));
      }
    }
    if (pending.empty()) {
      outage_.answered();
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    outage_.failed(transient, now);
    if (auto exceeded = outage_.exceeded(now)) {
      failure = pending.front().key + ": applied but could not be removed: request source " +
                source_.describe() + " " + *exceeded;
      break;
    }
    // Stopping: what is left stays in the source; applying it again later changes nothing.
    if (!halt_.sleep_for(backoff.next())) break;
  }
  finish(items, lost, failure);
}

void RemovalBatcher::finish(const std::vector<Item>& items,
                            const std::vector<source::NotRemoved>& lost,
                            const std::optional<std::string>& failure) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& item : items) {
      if (--waiting_lanes_[item.lane] == 0) waiting_lanes_.erase(item.lane);
      for (const auto& entry : lost) {
        if (entry.request.handle == item.request.handle) lost_lanes_.insert(item.lane);
      }
    }
    if (failure && !failure_) failure_ = failure;
    --flushes_;
    in_flush_ -= items.size();
  }
  flushed_.notify_all();
  if (on_lease_lost_) {
    for (const auto& entry : lost) on_lease_lost_(entry);
  }
}

std::optional<std::string> RemovalBatcher::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

std::size_t RemovalBatcher::waiting() const {
  std::lock_guard lock(mutex_);
  return queued_.size() + in_flush_;
}

}  // namespace wc::consumer
