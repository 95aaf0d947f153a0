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
  /// valid). It stays held, so it can still be worked on and deleted: whether the delete then
  /// succeeds decides what happens next. True when it was held and not lost already.
  bool mark_lost(const std::string& receipt);

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

  const std::chrono::milliseconds lease_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> held_;  ///< by receipt
  std::uint64_t next_order_ = 0;
};

}  // namespace wc::source
