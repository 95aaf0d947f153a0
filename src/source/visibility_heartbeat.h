#pragma once
// Keeps held queue messages invisible to other consumers while they wait or are worked on: a
// background thread renews every lease that is a third used up, in batches. A renewal that fails
// as a whole is tried again at the next beat, while the lease lasts; a message whose renewal
// is refused, or whose lease ended before it could be renewed, is given up with the later held
// messages of its FIFO group (HeldMessages::give_up): their leases are lost, so the pipeline
// applies none of them, and the ones still ours are made visible again at once.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "source/held_messages.h"
#include "util/expected.h"

namespace wc::source {

class VisibilityHeartbeat {
 public:
  struct RenewFailure {
    std::string receipt;
    std::string reason;
  };
  /// Renews the visibility of up to 10 messages to `seconds` from now. Returns the ones that
  /// could not be renewed and why; an error when the call failed as a whole (tried again at
  /// the next beat, while the leases last).
  using Renew = std::function<util::Expected<std::vector<RenewFailure>, std::string>(
      const std::vector<std::string>& receipts, int seconds)>;
  /// Makes given-up messages visible again at once.
  using Release = std::function<void(const std::vector<HeldMessage>&)>;
  /// Reports failed renewals; the source itself does not log.
  using Warn = std::function<void(const std::string&)>;
  /// Counts leases renewed, and lost (refused, or ended before they could be renewed); may be
  /// empty.
  using Leases = std::function<void(std::size_t renewed, std::size_t lost)>;

  VisibilityHeartbeat(HeldMessages& held, Renew renew, Release release, Warn warn,
                      Leases on_leases = {});
  /// Stops the thread (if started) and waits for it.
  ~VisibilityHeartbeat();
  VisibilityHeartbeat(const VisibilityHeartbeat&) = delete;
  VisibilityHeartbeat& operator=(const VisibilityHeartbeat&) = delete;

  /// Starts the thread that beats ten times a lease term. Calling it twice does nothing.
  void start();
  /// One round: gives up the messages whose lease ended unrenewed (HeldMessages::expire),
  /// then renews every message due at `now` (HeldMessages::due).
  void beat(LeaseClock::time_point now);

 private:
  void run();
  void renew_batch(const std::vector<HeldMessages::Due>& batch);

  HeldMessages& held_;
  Renew renew_;
  Release release_;
  Warn warn_;
  Leases on_leases_;
  int lease_seconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace wc::source
