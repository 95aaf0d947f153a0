#pragma once
// The queue messages one consumer holds: received, not yet deleted or given back. Each has a
// lease (the time until the queue makes it visible to other consumers again) that the
// heartbeat renews. Pure bookkeeping with explicit times, so every rule is testable; safe to
// use from the consumer's threads and the heartbeat thread at once.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace wc::source {

using LeaseClock = std::chrono::steady_clock;

struct HeldMessage {
  std::string receipt;  ///< the receipt handle: unique per receive, the key here
  std::string message_id;
  std::string group;  ///< FIFO message group; empty for standard queues
  std::string body;
  LeaseClock::time_point deadline;  ///< when the queue may hand it to someone else
};

class HeldMessages {
 public:
  /// `lease`: how long each receive or renewal keeps a message invisible.
  explicit HeldMessages(std::chrono::milliseconds lease);

  std::chrono::milliseconds lease() const { return lease_; }

  /// Holds a message just received.
  void add(HeldMessage message);

  /// The body of a held message, lost or not; nullopt when it is not held.
  std::optional<std::string> body(const std::string& receipt) const;

  /// Stops renewing a message whose renewal was refused (its receipt handle is no longer
  /// valid). It stays held until startable() gives it up. True when it was held and not lost
  /// already.
  bool mark_lost(const std::string& receipt);

  /// Marks lost every held message whose lease ended at or before `now` without a renewal:
  /// the queue may have handed it to another consumer, and renewing it now could succeed with
  /// a stale receipt handle on a lenient server. Returns them, in receive order.
  struct Expired {
    std::string receipt;
    std::string message_id;
  };
  std::vector<Expired> expire(LeaseClock::time_point now);

  /// Whether work on the message may start at `now`: it is held, not lost, and has at least a
  /// quarter of a lease left, so the queue will not hand it to another consumer before the
  /// next renewal. If not, the message is given up: forgotten, and with it every later held
  /// message of its FIFO group, which must not be applied before it. Those still validly held
  /// (the message itself too, when its lease has not ended) go to `to_release`, for the
  /// caller to make visible again at once.
  bool startable(const std::string& receipt, LeaseClock::time_point now,
                 std::vector<HeldMessage>& to_release);

  /// Forgets a message (deleted or released). Returns it, or nullopt when it was not held.
  std::optional<HeldMessage> take(const std::string& receipt);

  /// Forgets every message and returns them in receive order.
  std::vector<HeldMessage> take_all();

  /// Held messages, not lost, whose lease ends within half a lease of `now`, in receive
  /// order: the ones a renewal is due for.
  struct Due {
    std::string receipt;
    std::string message_id;
  };
  std::vector<Due> due(LeaseClock::time_point now) const;

  /// A renewal sent at `sent` succeeded: the messages stay invisible until `sent` + lease.
  void renewed(const std::vector<std::string>& receipts, LeaseClock::time_point sent);

  std::size_t size() const;

 private:
  struct Entry {
    std::uint64_t order;
    HeldMessage message;
    bool lost = false;
  };

  void give_up_locked(std::map<std::string, Entry>::iterator found, LeaseClock::time_point now,
                      std::vector<HeldMessage>& to_release);

  const std::chrono::milliseconds lease_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> held_;  ///< by receipt
  std::uint64_t next_order_ = 0;
};

}  // namespace wc::source
