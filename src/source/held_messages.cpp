#include "source/held_messages.h"

#include <algorithm>

namespace wc::source {

namespace {

template <typename T>
std::vector<T> in_order(std::vector<std::pair<std::uint64_t, T>> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<T> out;
  out.reserve(entries.size());
  for (auto& entry : entries) out.push_back(std::move(entry.second));
  return out;
}

}  // namespace

HeldMessages::HeldMessages(std::chrono::milliseconds lease) : lease_(lease) {}

void HeldMessages::add(HeldMessage message) {
  std::lock_guard lock(mutex_);
  std::string receipt = message.receipt;
  held_.insert_or_assign(std::move(receipt), Entry{next_order_++, std::move(message)});
}

std::optional<std::string> HeldMessages::body(const std::string& receipt) const {
  std::lock_guard lock(mutex_);
  auto found = held_.find(receipt);
  if (found == held_.end()) return std::nullopt;
  return found->second.message.body;
}

bool HeldMessages::mark_lost(const std::string& receipt) {
  std::lock_guard lock(mutex_);
  auto found = held_.find(receipt);
  if (found == held_.end() || found->second.lost) return false;
  found->second.lost = true;
  return true;
}

std::vector<HeldMessages::Expired> HeldMessages::expire(LeaseClock::time_point now) {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::uint64_t, Expired>> expired;
  for (auto& [receipt, entry] : held_) {
    if (!entry.lost && entry.message.deadline <= now) {
      entry.lost = true;
      expired.emplace_back(entry.order, Expired{receipt, entry.message.message_id});
    }
  }
  return in_order(std::move(expired));
}

bool HeldMessages::startable(const std::string& receipt, LeaseClock::time_point now,
                             std::vector<HeldMessage>& to_release) {
  std::lock_guard lock(mutex_);
  auto found = held_.find(receipt);
  if (found == held_.end()) return false;
  const Entry& entry = found->second;
  if (!entry.lost && entry.message.deadline - now >= lease_ / 4) return true;
  give_up_locked(found, now, to_release);
  return false;
}

void HeldMessages::give_up_locked(std::map<std::string, Entry>::iterator found,
                                  LeaseClock::time_point now,
                                  std::vector<HeldMessage>& to_release) {
  // Only a lease that has not ended may be given back: a stale receipt handle could touch the
  // message while another consumer holds it.
  const auto still_ours = [now](const Entry& entry) {
    return !entry.lost && entry.message.deadline > now;
  };
  const std::uint64_t order = found->second.order;
  const std::string group = found->second.message.group;
  std::vector<std::pair<std::uint64_t, HeldMessage>> released;
  if (still_ours(found->second)) released.emplace_back(order, std::move(found->second.message));
  held_.erase(found);
  for (auto it = held_.begin(); !group.empty() && it != held_.end();) {
    // Standard queues (no group) promise no order to keep.
    if (it->second.message.group == group && it->second.order > order) {
      if (still_ours(it->second)) {
        released.emplace_back(it->second.order, std::move(it->second.message));
      }
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& message : in_order(std::move(released))) to_release.push_back(std::move(message));
}

std::optional<HeldMessage> HeldMessages::take(const std::string& receipt) {
  std::lock_guard lock(mutex_);
  auto found = held_.find(receipt);
  if (found == held_.end()) return std::nullopt;
  HeldMessage message = std::move(found->second.message);
  held_.erase(found);
  return message;
}

std::vector<HeldMessage> HeldMessages::take_all() {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::uint64_t, HeldMessage>> all;
  for (auto& [receipt, entry] : held_) all.emplace_back(entry.order, std::move(entry.message));
  held_.clear();
  return in_order(std::move(all));
}

std::vector<HeldMessages::Due> HeldMessages::due(LeaseClock::time_point now) const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::uint64_t, Due>> due;
  for (const auto& [receipt, entry] : held_) {
    if (!entry.lost && entry.message.deadline - now < lease_ / 2) {
      due.emplace_back(entry.order, Due{receipt, entry.message.message_id});
    }
  }
  return in_order(std::move(due));
}

void HeldMessages::renewed(const std::vector<std::string>& receipts, LeaseClock::time_point sent) {
  std::lock_guard lock(mutex_);
  for (const auto& receipt : receipts) {
    // A message deleted meanwhile is simply no longer here.
    if (auto found = held_.find(receipt); found != held_.end()) {
      found->second.message.deadline = std::max(found->second.message.deadline, sent + lease_);
    }
  }
}

std::size_t HeldMessages::size() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

}  // namespace wc::source
