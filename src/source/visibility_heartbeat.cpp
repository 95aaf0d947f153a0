#include "source/visibility_heartbeat.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace wc::source {

namespace {

constexpr std::size_t k_max_renew_batch = 10;  // ChangeMessageVisibilityBatch's limit
constexpr std::chrono::milliseconds k_min_beat_period{100};
// Beats this often per lease: a renewal is due at half a lease left, so a message has at least
// 0.4 of a lease left when renewed, well above the quarter it needs to be started.
constexpr int k_beats_per_lease = 10;

}  // namespace

VisibilityHeartbeat::VisibilityHeartbeat(HeldMessages& held, Renew renew, Warn warn,
                                         Leases on_leases)
    : held_(held),
      renew_(std::move(renew)),
      warn_(std::move(warn)),
      on_leases_(std::move(on_leases)),
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
  const auto period = std::max(k_min_beat_period, held_.lease() / k_beats_per_lease);
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    lock.unlock();
    beat(LeaseClock::now());
    lock.lock();
  }
}

void VisibilityHeartbeat::beat(LeaseClock::time_point now) {
  if (auto expired = held_.expire(now); !expired.empty()) {
    if (on_leases_) on_leases_(0, expired.size());
    warn_(
        fmt::format("{} held message(s) ({}{}) became visible to other consumers before their "
                    "visibility could be extended; they will not be applied here",
                    expired.size(), expired.front().message_id, expired.size() > 1 ? ", ..." : ""));
  }
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
  std::size_t lost = 0;
  for (const auto& failure : *result) {
    receipts.erase(std::remove(receipts.begin(), receipts.end(), failure.receipt), receipts.end());
    // A message deleted while the renewal was on its way needs no word.
    if (!held_.mark_lost(failure.receipt)) continue;
    ++lost;
    warn_(ids[failure.receipt] + ": could not extend its visibility (" + failure.reason +
          "); another consumer may receive it once its visibility timeout ends");
  }
  held_.renewed(receipts, sent);
  if (on_leases_) on_leases_(receipts.size(), lost);
}

}  // namespace wc::source
