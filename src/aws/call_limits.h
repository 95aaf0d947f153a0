#pragma once
// Bounds on the AWS calls one thread makes for one piece of work: a deadline no attempt may
// outlive, and a flag that cancels them at once. The consumer sets them around a store call
// (an SQS lease's end, the hard stop after a signal) and around a poll (any stop); AwsCaller and
// CurlTransport honour them, so that no client or store signature has to carry them, much as a
// request context would.

#include <atomic>
#include <chrono>
#include <optional>

namespace wc::aws {

using CallClock = std::chrono::steady_clock;

struct CallLimits {
  /// No attempt starts, and none runs, past it (its transfer is cut at the deadline).
  std::optional<CallClock::time_point> deadline;
  /// Once raised, the call in progress ends within ~50 ms as cancelled and no retry follows.
  const std::atomic<bool>* cancel = nullptr;

  bool cancelled() const { return cancel != nullptr && cancel->load(std::memory_order_relaxed); }
};

/// The limits in force on this thread: none unless a CallScope set them.
const CallLimits& current_call_limits();

/// Sets this thread's limits for the scope's lifetime. An enclosing scope's deadline still
/// applies when it is earlier; a cancel flag given here replaces the enclosing one.
class CallScope {
 public:
  explicit CallScope(CallLimits limits);
  ~CallScope();
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  CallLimits saved_;
};

}  // namespace wc::aws
