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

/// Only a lease that has not ended may be given back: a stale receipt handle could touch the
/// message while another consumer holds it.
bool still_ours(const HeldMessage& message, LeaseClock::time_point now) {
  return message.lease.holds_for(LeaseClock::duration::zero(), now);
}

}  // namespace

HeldMessages::HeldMessages(std::chrono::milliseconds term) : term_(term) {}

void HeldMessages::add(HeldMessage message) {
  std::lock_guard lock(mutex_);
  std::string receipt = message.receipt;
  held_.insert_or_assign(std::move(receipt), Entry{next_order_++, std::move(message)});
}

bool HeldMessages::holds(const std::string& receipt) const {
  std::lock_guard lock(mutex_);
  auto found = held_.find(receipt);
  return found != held_.end() && !found->second.message.lease.lost();
}

bool HeldMessages::give_up(const std::string& receipt, LeaseClock::time_point now,
                           std::vector<HeldMessage>& to_release) {
  std::lock_guard lock(mutex_);
  auto found = held_.find(receipt);
  if (found == held_.end()) return false;
  give_up_locked(found, now, to_release);
  return true;
}

std::vector<std::string> HeldMessages::expire(LeaseClock::time_point now,
                                              std::vector<HeldMessage>& to_release) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> expired;
  // Oldest first: giving one up also gives up the later ones of its group.
  std::vector<std::pair<std::uint64_t, std::string>> ended;
  for (const auto& [receipt, entry] : held_) {
    if (!still_ours(entry.message, now)) ended.emplace_back(entry.order, receipt);
  }
  for (auto& receipt : in_order(std::move(ended))) {
    auto found = held_.find(receipt);
    if (found == held_.end()) continue;  // given up with an earlier one of its group
    expired.push_back(found->second.message.message_id);
    give_up_locked(found, now, to_release);
  }
  return expired;
}

void HeldMessages::give_up_locked(std::map<std::string, Entry>::iterator found,
                                  LeaseClock::time_point now,
                                  std::vector<HeldMessage>& to_release) {
  const std::uint64_t order = found->second.order;
  const std::string group = found->second.message.group;
  std::vector<std::pair<std::uint64_t, HeldMessage>> released;
  const auto let_go = [&](std::map<std::string, Entry>::iterator it) {
    if (still_ours(it->second.message, now)) {
      released.emplace_back(it->second.order, it->second.message);
    }
    it->second.message.lease.lose();
    return held_.erase(it);
  };
  let_go(found);
  for (auto it = held_.begin(); !group.empty() && it != held_.end();) {
    if (it->second.message.group == group && it->second.order > order) {
      it = let_go(it);
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

std::vector<HeldMessage> HeldMessages::take_all(LeaseClock::time_point now) {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::uint64_t, HeldMessage>> all;
  for (auto& [receipt, entry] : held_) {
    if (still_ours(entry.message, now)) all.emplace_back(entry.order, entry.message);
    entry.message.lease.lose();
  }
  held_.clear();
  return in_order(std::move(all));
}

std::vector<HeldMessages::Due> HeldMessages::due(LeaseClock::time_point now,
                                                 LeaseClock::duration within) const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::uint64_t, Due>> due;
  for (const auto& [receipt, entry] : held_) {
    const Lease& lease = entry.message.lease;
    if (!lease.lost() && !lease.holds_for(within, now)) {
      due.emplace_back(entry.order, Due{receipt, entry.message.message_id});
    }
  }
  return in_order(std::move(due));
}

void HeldMessages::renewed(const std::vector<std::string>& receipts, LeaseClock::time_point sent) {
  std::lock_guard lock(mutex_);
  for (const auto& receipt : receipts) {
    // A message deleted meanwhile is simply no longer here; a lost lease stays lost.
    if (auto found = held_.find(receipt); found != held_.end()) {
      found->second.message.lease.renew(sent + term_);
    }
  }
}

std::size_t HeldMessages::size() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

}  // namespace wc::source
