#include "consumer/removal_batcher.h"

namespace wc::consumer {

RemovalBatcher::RemovalBatcher(source::RequestSource& source, std::size_t max_batch,
                               std::chrono::milliseconds max_delay, OnRemoved on_removed)
    : source_(source),
      max_batch_(max_batch),
      max_delay_(max_delay),
      on_removed_(std::move(on_removed)) {}

void RemovalBatcher::add(source::SourceRequest request, std::string lane) {
  bool full = false;
  {
    std::lock_guard lock(mutex_);
    if (queued_.empty()) oldest_ = std::chrono::steady_clock::now();
    if (!lane.empty()) ++waiting_lanes_[lane];
    queued_.push_back(Item{std::move(request), std::move(lane)});
    full = queued_.size() >= max_batch_;
  }
  if (full) flush();
}

bool RemovalBatcher::lane_waits(const std::string& lane) const {
  return waiting_lanes_.count(lane) > 0;
}

bool RemovalBatcher::ensure_removed(const std::string& lane) {
  std::unique_lock lock(mutex_);
  while (lane_waits(lane) && !failure_) {
    if (flushing_) {
      flushed_.wait(lock);
    } else {
      lock.unlock();
      flush();
      lock.lock();
    }
  }
  return !failure_;
}

void RemovalBatcher::flush_if_due() {
  {
    std::lock_guard lock(mutex_);
    if (queued_.empty() || flushing_ ||
        std::chrono::steady_clock::now() - oldest_ < max_delay_) {
      return;
    }
  }
  flush();
}

void RemovalBatcher::flush() {
  std::vector<Item> items;
  {
    std::unique_lock lock(mutex_);
    // One flush at a time keeps "is this lane's request gone yet?" a simple question.
    flushed_.wait(lock, [this] { return !flushing_; });
    if (queued_.empty()) return;
    items.swap(queued_);
    flushing_ = true;
  }
  remove_now(std::move(items));
}

void RemovalBatcher::remove_now(std::vector<Item> items) {
  std::vector<source::SourceRequest> requests;
  requests.reserve(items.size());
  for (const auto& item : items) requests.push_back(item.request);

  std::optional<std::string> failure;
  auto result = source_.remove_batch(requests);
  std::vector<std::string> failed_keys;
  if (!result) {
    failure = result.error().message;
  } else {
    // Entries the batch could not remove get one more try each before the run stops.
    for (auto& [request, error] : *result) {
      if (auto again = source_.remove(request); !again) {
        failure = request.key + ": applied but could not be removed: " + again.error().message;
        failed_keys.push_back(request.key);
      }
    }
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& item : items) {
      if (!item.lane.empty() && --waiting_lanes_[item.lane] == 0) waiting_lanes_.erase(item.lane);
    }
    if (failure && !failure_) failure_ = failure;
    flushing_ = false;
  }
  flushed_.notify_all();
  if (!result) return;
  for (const auto& item : items) {
    bool failed = false;
    for (const auto& key : failed_keys) failed = failed || key == item.request.key;
    if (!failed && on_removed_) on_removed_(item.request);
  }
}

std::optional<std::string> RemovalBatcher::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

}  // namespace wc::consumer
