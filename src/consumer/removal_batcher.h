#pragma once
// Removes applied requests from the source in batches (DeleteObjects, DeleteMessageBatch),
// but never so late that a later request of the same widget runs before an earlier one is
// removed: a lane that needs its previous request gone forces the batch out at once. This is
// the one place where removal is tried again: a removal that fails transiently is retried with
// back-off while the source's outage lasts (attempt_budgets.h).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "consumer/outage.h"
#include "consumer/stop_flag.h"
#include "source/request_source.h"

namespace wc::consumer {

class RemovalBatcher {
 public:
  /// Called (on the flushing thread, with no lock held) for each request whose lease was lost
  /// before it could be removed: the queue hands it out again, which is harmless (applying it
  /// again changes nothing) but worth a warning.
  using OnLeaseLost = std::function<void(const source::NotRemoved&)>;

  /// `outage`: this batcher's own clock for the outage rule (removals only; polls that answer
  /// do not reset it). `halt`: once raised, a removal that fails is not tried again (the requests
  /// stay in the source and a later run applies them again, which is safe).
  RemovalBatcher(source::RequestSource& source, std::size_t max_batch,
                 std::chrono::milliseconds max_delay, Outage& outage, const StopFlag& halt,
                 OnLeaseLost on_lease_lost);

  /// Queues `request`, whose widget lane is `lane`; flushes on this thread when the batch is
  /// full.
  void add(source::LeasedRequest request, std::string lane);

  enum class Removed {
    yes,         ///< nothing of the lane waits to be removed
    lease_lost,  ///< one of the lane's requests could not be removed, its lease being lost:
                 ///< the lane must not go on (the queue delivers that request again first)
    failed,      ///< removal failed for good: the run must stop (see failure())
  };
  /// Returns once no request of `lane` waits to be removed, flushing if need be.
  Removed ensure_removed(const std::string& lane);

  /// Flushes when the oldest queued request has waited max_delay.
  void flush_if_due();

  /// Removes what is queued now, up to a batch (others may be under way meanwhile).
  void flush();

  /// Removes everything queued, and returns once no removal is under way.
  void flush_all();

  /// Why removal failed for good, if it did: the run must stop.
  std::optional<std::string> failure() const;

  /// Requests applied and queued or being removed.
  std::size_t waiting() const;

 private:
  struct Item {
    source::LeasedRequest request;
    std::string lane;
  };
  bool lane_waits(const std::string& lane) const;
  /// Acknowledges the items, trying the transient failures again while the outage rule allows.
  void remove_now(std::vector<Item> items);
  void finish(const std::vector<Item>& items, const std::vector<source::NotRemoved>& lost,
              const std::optional<std::string>& failure);

  source::RequestSource& source_;
  std::size_t max_batch_;
  std::chrono::milliseconds max_delay_;
  Outage& outage_;
  const StopFlag& halt_;
  OnLeaseLost on_lease_lost_;

  mutable std::mutex mutex_;
  std::condition_variable flushed_;
  std::vector<Item> queued_;
  std::chrono::steady_clock::time_point oldest_{};
  std::unordered_map<std::string, int> waiting_lanes_;  ///< queued or being flushed
  std::unordered_set<std::string> queued_lanes_;        ///< queued, in no flush yet
  std::unordered_set<std::string> lost_lanes_;          ///< a removal lost its lease; told once
  std::size_t in_flush_ = 0;
  std::size_t flushes_ = 0;  ///< under way
  std::optional<std::string> failure_;
};

}  // namespace wc::consumer
