#include "source/visibility_heartbeat.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace wc::source {

namespace {

constexpr std::size_t k_max_renew_batch = 10;  // ChangeMessageVisibilityBatch's limit
constexpr std::chrono::milliseconds k_min_beat_period{100};
// Beats this often per lease term; a renewal is due once a third of the term is used, so a
// renewal that fails (its call is cut after a sixth of the term, see SqsRequestSource::renew)
// is tried again several times before the quarter of a term a message needs to be applied.
constexpr int k_beats_per_lease = 10;

}  // namespace

VisibilityHeartbeat::VisibilityHeartbeat(HeldMessages& held, Renew renew, Release release,
                                         Warn warn, Leases on_leases)
    : held_(held),
      renew_(std::move(renew)),
      release_(std::move(release)),
      warn_(std::move(warn)),
      on_leases_(std::move(on_leases)),
      lease_seconds_(static_cast<int>((held.term().count() + 999) / 1000)) {}

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
  const auto period = std::max(k_min_beat_period, held_.term() / k_beats_per_lease);
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    lock.unlock();
    beat(LeaseClock::now());
    lock.lock();
  }
}

void VisibilityHeartbeat::beat(LeaseClock::time_point now) {
  std::vector<HeldMessage> to_release;
  if (auto expired = held_.expire(now, to_release); !expired.empty()) {
    if (on_leases_) on_leases_(0, expired.size());
    warn_(fmt::format(
        "lease lost: {} held message(s) ({}{}) became visible to other consumers before their "
        "visibility could be extended; they will not be applied here{}",
        expired.size(), expired.front(), expired.size() > 1 ? ", ..." : "",
        to_release.empty() ? ""
                           : fmt::format(" (and {} later message(s) of their groups given back)",
                                         to_release.size())));
  }
  if (!to_release.empty()) release_(to_release);
  auto due = held_.due(now, held_.term() * 2 / 3);
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
  std::vector<HeldMessage> to_release;
  std::size_t lost = 0;
  for (const auto& failure : *result) {
    receipts.erase(std::remove(receipts.begin(), receipts.end(), failure.receipt), receipts.end());
    // A message deleted while the renewal was on its way needs no word.
    if (!held_.give_up(failure.receipt, LeaseClock::now(), to_release)) continue;
    ++lost;
    warn_("lease lost: " + ids[failure.receipt] + ": could not extend its visibility (" +
          failure.reason + "); another consumer may receive it, so it is not applied here");
  }
  held_.renewed(receipts, sent);
  if (on_leases_) on_leases_(receipts.size(), lost);
  // A refused message itself is not ours any more: only its group's later ones go back.
  std::erase_if(to_release, [&](const HeldMessage& message) {
    return std::any_of(result->begin(), result->end(), [&](const RenewFailure& failure) {
      return failure.receipt == message.receipt;
    });
  });
  if (!to_release.empty()) release_(to_release);
}

}  // namespace wc::source
