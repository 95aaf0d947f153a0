#pragma once
// Removes applied requests from the source in batches (DeleteObjects, DeleteMessageBatch),
// but never so late that a later request of the same widget runs before an earlier one is
// removed: a lane that needs its previous request gone forces the batch out at once.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "source/request_source.h"

namespace wc::consumer {

class RemovalBatcher {
 public:
  /// Called (on the flushing thread, with no lock held) for every request removed; may be empty.
  using OnRemoved = std::function<void(const source::SourceRequest&)>;

  RemovalBatcher(source::RequestSource& source, std::size_t max_batch,
                 std::chrono::milliseconds max_delay, OnRemoved on_removed);

  /// Queues `request` (whose widget lane is `lane`; empty for rejected requests); flushes on
  /// this thread when the batch is full.
  void add(source::SourceRequest request, std::string lane);

  /// Returns once no request of `lane` waits to be removed, flushing if need be. False if a
  /// removal failed: the lane must not go on.
  bool ensure_removed(const std::string& lane);

  /// Flushes when the oldest queued request has waited max_delay.
  void flush_if_due();

  /// Removes everything queued now.
  void flush();

  /// Why removal failed for good, if it did: the run must stop.
  std::optional<std::string> failure() const;

 private:
  struct Item {
    source::SourceRequest request;
    std::string lane;
  };
  bool lane_waits(const std::string& lane) const;
  void remove_now(std::vector<Item> items);

  source::RequestSource& source_;
  std::size_t max_batch_;
  std::chrono::milliseconds max_delay_;
  OnRemoved on_removed_;

  mutable std::mutex mutex_;
  std::condition_variable flushed_;
  std::vector<Item> queued_;
  std::chrono::steady_clock::time_point oldest_{};
  std::unordered_map<std::string, int> waiting_lanes_;  ///< queued or being flushed
  bool flushing_ = false;
  std::optional<std::string> failure_;
};

}  // namespace wc::consumer
