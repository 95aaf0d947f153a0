#pragma once
// The last failure this consumer saw for each request it could not finish, so that a queue
// message given up after too many receives is dead-lettered with a reason worth reading.
// Bounded: the oldest entries are forgotten first. Thread-safe.

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace wc::consumer {

class LastErrors {
 public:
  explicit LastErrors(std::size_t capacity = 10'000) : capacity_(capacity) {}

  void remember(const std::string& key, std::string error) {
    std::lock_guard lock(mutex_);
    auto [it, added] = errors_.insert_or_assign(key, std::move(error));
    if (!added) return;
    order_.push_back(key);
    if (order_.size() > capacity_) {
      errors_.erase(order_.front());
      order_.pop_front();
    }
  }

  std::optional<std::string> of(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto found = errors_.find(key);
    if (found == errors_.end()) return std::nullopt;
    return found->second;
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> errors_;
  std::deque<std::string> order_;
};

}  // namespace wc::consumer
