#pragma once
// The queue messages one consumer holds: received, not yet deleted or given back. Each has a
// lease (the time until the queue makes it visible to other consumers again) that the
// heartbeat renews. Pure bookkeeping with explicit times, so every rule is testable; safe to
// use from the consumer and the heartbeat thread at once.

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

  /// Holds a message just received; later adds come after it in its group.
  void add(HeldMessage message);

  /// The message's body if it is still safely ours: held, not lost, and with at least a
  /// quarter of a lease left, so that work started now is covered until the next renewal.
  /// Otherwise nullopt, and the message is forgotten (see give_up).
  std::optional<std::string> body_to_start(const std::string& receipt, LeaseClock::time_point now,
                                           std::vector<HeldMessage>& to_release);

  /// Forgets a message that is no longer ours, and with it every later held message of its
  /// group: they must not be applied before it comes back, so they go into `to_release` (still
  /// validly held; the caller makes them visible again). False when it was not held.
  bool give_up(const std::string& receipt, std::vector<HeldMessage>& to_release);

  /// Forgets a message (deleted or released). Returns it, or nullopt when it was not held.
  std::optional<HeldMessage> take(const std::string& receipt);

  /// Forgets every message and returns them in receive order.
  std::vector<HeldMessage> take_all();

  /// Held messages whose lease ends within half a lease of `now`, in receive order: the ones
  /// a renewal is due for.
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
  };
  bool give_up_locked(const std::string& receipt, std::vector<HeldMessage>& to_release);

  const std::chrono::milliseconds lease_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> held_;  ///< by receipt
  std::uint64_t next_order_ = 0;
};

}  // namespace wc::source
