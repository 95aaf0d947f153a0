#pragma once
// The window of requests handed out and not yet finished, in per-widget lanes: requests of one
// widget wait in their lane, in source order, while different lanes run at once (SPEC §6).
// Requests that touch no widget (rejected, or given up by the source) get a lane of their own.
// Not thread-safe: the pipeline holds its lock around every call.

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "consumer/run_metrics.h"
#include "model/request.h"
#include "source/request_source.h"

namespace wc::consumer {

/// One request from the moment it is handed out until it is finished or given back.
struct Entry {
  source::LeasedRequest request;
  std::chrono::steady_clock::time_point started;
  std::optional<model::WidgetRequest> valid;  ///< set when it parsed and the store can hold it
  std::string rejection;                      ///< why not, when !valid
  RunMetrics::Tracked tracked;                ///< counts it as in flight while it exists

  /// Its widget's lane, or one of its own when it touches no widget.
  std::string lane() const;
};
using EntryPtr = std::shared_ptr<Entry>;

class Dispatch {
 public:
  /// At most `window` requests in hand; the lister refills once `refill_at` are free, so that it
  /// wakes once per batch of finished requests rather than once per request.
  Dispatch(std::size_t window, std::size_t refill_at) : window_(window), refill_at_(refill_at) {}

  std::size_t in_hand() const { return in_hand_; }
  std::size_t room() const { return window_ - in_hand_; }
  /// `reserved`: room already taken by polls in flight.
  bool wants_refill(std::size_t reserved = 0) const { return room() >= reserved + refill_at_; }
  /// True exactly when the last pop made the room reach the refill mark (wake the lister once).
  bool just_refillable(std::size_t reserved = 0) const { return room() == reserved + refill_at_; }

  /// Takes a request into its lane, behind the ones already there. True when the lane was
  /// idle: the caller starts a runner for it.
  bool add(EntryPtr entry);
  /// The lane's first request; nullptr when the lane is empty.
  EntryPtr front(const std::string& lane) const;
  /// Finishes the lane's first request. True when another waits behind it; false when the lane
  /// is now closed (its runner stops).
  bool pop(const std::string& lane);
  /// Closes a lane and returns its requests, in order (to be given back).
  std::vector<EntryPtr> close(const std::string& lane);
  /// Closes every lane and returns the requests of all.
  std::vector<EntryPtr> close_all();

 private:
  std::size_t window_;
  std::size_t refill_at_;
  std::size_t in_hand_ = 0;
  std::unordered_map<std::string, std::deque<EntryPtr>> lanes_;
};

}  // namespace wc::consumer
