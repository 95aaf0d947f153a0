#include "consumer/outage.h"

#include <fmt/format.h>

namespace wc::consumer {

void Outage::failed(const std::string& why, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!since_) since_ = now;
  last_ = why;
}

void Outage::answered() {
  std::lock_guard lock(mutex_);
  since_.reset();
}

std::optional<Outage::Clock::time_point> Outage::failing_since() const {
  std::lock_guard lock(mutex_);
  return since_;
}

std::optional<std::string> Outage::exceeded(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (!since_ || timeout_.count() == 0 || now - *since_ < timeout_) return std::nullopt;
  return fmt::format("unreachable for {} s (--outage-timeout {} s): {}",
                     std::chrono::duration_cast<std::chrono::seconds>(now - *since_).count(),
                     std::chrono::duration<double>(timeout_).count(), last_);
}

}  // namespace wc::consumer
