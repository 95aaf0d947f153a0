#include "source/visibility_heartbeat.h"

#include <algorithm>
#include <map>

namespace wc::source {

namespace {

constexpr std::size_t k_max_renew_batch = 10;  // ChangeMessageVisibilityBatch's limit
constexpr std::chrono::milliseconds k_min_beat_period{100};

}  // namespace

VisibilityHeartbeat::VisibilityHeartbeat(HeldMessages& held, Renew renew, Warn warn)
    : held_(held),
      renew_(std::move(renew)),
      warn_(std::move(warn)),
      lease_seconds_(static_cast<int>((held.lease().count() + 999) / 1000)) {}

VisibilityHeartbeat::~VisibilityHeartbeat() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void VisibilityHeartbeat::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void VisibilityHeartbeat::run() {
  const auto period = std::max(k_min_beat_period, held_.lease() / 4);
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    lock.unlock();
    beat(LeaseClock::now());
    lock.lock();
  }
}

void VisibilityHeartbeat::beat(LeaseClock::time_point now) {
  auto due = held_.due(now);
  for (std::size_t first = 0; first < due.size(); first += k_max_renew_batch) {
    auto last = std::min(due.size(), first + k_max_renew_batch);
    renew_batch({due.begin() + static_cast<std::ptrdiff_t>(first),
                 due.begin() + static_cast<std::ptrdiff_t>(last)});
  }
}

void VisibilityHeartbeat::renew_batch(const std::vector<HeldMessages::Due>& batch) {
  std::vector<std::string> receipts;
  std::map<std::string, std::string> ids;
  for (const auto& message : batch) {
    receipts.push_back(message.receipt);
    ids.emplace(message.receipt, message.message_id);
  }
  // The lease counts from before the call: the queue may have applied it any time after.
  const auto sent = LeaseClock::now();
  auto result = renew_(receipts, lease_seconds_);
  if (!result) {
    warn_("could not extend the visibility of " + std::to_string(receipts.size()) +
          " held message(s), trying again: " + result.error());
    return;
  }
  for (const auto& failure : *result) {
    receipts.erase(std::remove(receipts.begin(), receipts.end(), failure.receipt), receipts.end());
    // A message deleted while the renewal was on its way needs no word.
    if (!held_.mark_lost(failure.receipt)) continue;
    warn_(ids[failure.receipt] + ": could not extend its visibility (" + failure.reason +
          "); another consumer may receive it once its visibility timeout ends");
  }
  held_.renewed(receipts, sent);
}

}  // namespace wc::source
