#include "source/held_messages.h"

#include <algorithm>

namespace wc::source {

namespace {

std::vector<HeldMessage> in_order(std::vector<std::pair<std::uint64_t, HeldMessage>> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<HeldMessage> messages;
  messages.reserve(entries.size());
  for (auto& entry : entries) messages.push_back(std::move(entry.second));
  return messages;
}

}  // namespace

HeldMessages::HeldMessages(std::chrono::milliseconds lease) : lease_(lease) {}

void HeldMessages::add(HeldMessage message) {
  std::lock_guard lock(mutex_);
  std::string receipt = message.receipt;
  held_.insert_or_assign(std::move(receipt), Entry{next_order_++, std::move(message)});
}

std::optional<std::string> HeldMessages::body_to_start(const std::string& receipt,
                                                       LeaseClock::time_point now,
                                                       std::vector<HeldMessage>& to_release) {
  std::lock_guard lock(mutex_);
  auto found = held_.find(receipt);
  if (found == held_.end()) return std::nullopt;
  if (found->second.message.deadline - now < lease_ / 4) {
    // Renewals have been failing: the queue may hand it out again before we are done.
    give_up_locked(receipt, to_release);
    return std::nullopt;
  }
  return found->second.message.body;
}

bool HeldMessages::give_up(const std::string& receipt, std::vector<HeldMessage>& to_release) {
  std::lock_guard lock(mutex_);
  return give_up_locked(receipt, to_release);
}

bool HeldMessages::give_up_locked(const std::string& receipt,
                                  std::vector<HeldMessage>& to_release) {
  auto found = held_.find(receipt);
  if (found == held_.end()) return false;
  const std::uint64_t order = found->second.order;
  const std::string group = found->second.message.group;
  held_.erase(found);
  if (group.empty()) return true;  // standard queues promise no order to keep
  std::vector<std::pair<std::uint64_t, HeldMessage>> later;
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->second.message.group == group && it->second.order > order) {
      later.emplace_back(it->second.order, std::move(it->second.message));
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& message : in_order(std::move(later))) to_release.push_back(std::move(message));
  return true;
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
    if (entry.message.deadline - now < lease_ / 2) {
      due.emplace_back(entry.order, Due{receipt, entry.message.message_id});
    }
  }
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Due> out;
  for (auto& entry : due) out.push_back(std::move(entry.second));
  return out;
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
