#pragma once
// The queue messages one consumer holds: received, not yet deleted or given back. Each has a
// Lease (until the queue may hand it to another consumer) that the heartbeat renews and that
// the pipeline checks before each store call. Pure bookkeeping with explicit times, so every
// rule is testable; safe to use from the consumer's threads and the heartbeat thread at once.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "source/lease.h"

namespace wc::source {

struct HeldMessage {
  std::string receipt;  ///< the receipt handle: unique per receive, the key here
  std::string message_id;
  std::string group;  ///< FIFO message group; empty for standard queues
  Lease lease;        ///< shared with the request handed to the pipeline
};

class HeldMessages {
 public:
  /// `term`: how long each receive or renewal keeps a message invisible.
  explicit HeldMessages(std::chrono::milliseconds term);

  std::chrono::milliseconds term() const { return term_; }

  /// Holds a message just received.
  void add(HeldMessage message);

  /// Whether the message is held and its lease not lost (still worth renewing).
  bool holds(const std::string& receipt) const;

  /// Gives up a message that will not be applied here, and with it every later held message
  /// of its FIFO group, which must not be applied before it: each is forgotten and its lease
  /// lost. Those whose lease has not ended go to `to_release`, in receive order, for the
  /// caller to make visible again at once. Standard queues (no group) promise no order. True
  /// when the message was held.
  bool give_up(const std::string& receipt, LeaseClock::time_point now,
               std::vector<HeldMessage>& to_release);

  /// Gives up (as above) every held message whose lease ended at or before `now` without a
  /// renewal: the queue may have handed it to another consumer, and renewing it now could
  /// succeed with a stale receipt handle on a lenient server. Returns their message ids, in
  /// receive order.
  std::vector<std::string> expire(LeaseClock::time_point now, std::vector<HeldMessage>& to_release);

  /// Forgets a message (deleted). Returns it, or nullopt when it was not held.
  std::optional<HeldMessage> take(const std::string& receipt);

  /// Forgets every message and returns those whose lease has not ended, in receive order.
  std::vector<HeldMessage> take_all(LeaseClock::time_point now);

  /// Held messages, not lost, whose lease ends within `within` of `now`, in receive order:
  /// the ones a renewal is due for.
  struct Due {
    std::string receipt;
    std::string message_id;
  };
  std::vector<Due> due(LeaseClock::time_point now, LeaseClock::duration within) const;

  /// A renewal sent at `sent` succeeded: the messages stay invisible until `sent` + term.
  void renewed(const std::vector<std::string>& receipts, LeaseClock::time_point sent);

  std::size_t size() const;

 private:
  struct Entry {
    std::uint64_t order;
    HeldMessage message;
  };

  void give_up_locked(std::map<std::string, Entry>::iterator found, LeaseClock::time_point now,
                      std::vector<HeldMessage>& to_release);

  const std::chrono::milliseconds term_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> held_;  ///< by receipt
  std::uint64_t next_order_ = 0;
};

}  // namespace wc::source
