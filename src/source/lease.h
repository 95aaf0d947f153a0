#pragma once
// How long a handed-out request stays this consumer's to apply. A bucket's or directory's
// requests stay ours until we remove them; a queue message's only until its visibility timeout
// ends, which the source renews while the message is held. A lease is a small value shared by
// the source (which renews it, or marks it lost) and the pipeline (which checks it, on the
// monotonic clock, immediately before each store call).

#include <atomic>
#include <chrono>
#include <memory>

namespace wc::source {

using LeaseClock = std::chrono::steady_clock;

class Lease {
 public:
  /// A lease that never ends (the request is ours until removed).
  Lease() = default;
  /// A lease of `term` that ends at `deadline` unless renewed (each renewal grants `term`).
  static Lease until(LeaseClock::time_point deadline, LeaseClock::duration term);

  /// False for a lease that never ends.
  bool ends() const { return state_ != nullptr; }
  /// How long one grant or renewal lasts (zero for a lease that never ends).
  LeaseClock::duration term() const { return state_ ? state_->term : LeaseClock::duration{}; }
  /// When it ends (time_point::max() for one that never does); time_point::min() once lost.
  LeaseClock::time_point deadline() const;
  /// Whether it still has more than `needed` left at `now`.
  bool holds_for(LeaseClock::duration needed, LeaseClock::time_point now) const {
    const auto end = deadline();
    if (end == LeaseClock::time_point::max()) return true;
    return end != LeaseClock::time_point::min() && end - now > needed;
  }

  /// The source renewed it: it now ends at `deadline` (never earlier than before).
  void renew(LeaseClock::time_point deadline) const;
  /// The source can no longer keep it (renewal refused, lease ended, message given back).
  void lose() const;
  bool lost() const { return deadline() == LeaseClock::time_point::min(); }

 private:
  struct State {
    std::atomic<LeaseClock::rep> deadline;
    LeaseClock::duration term;
  };
  std::shared_ptr<State> state_;
};

inline Lease Lease::until(LeaseClock::time_point deadline, LeaseClock::duration term) {
  Lease lease;
  lease.state_ = std::make_shared<State>();
  lease.state_->deadline.store(deadline.time_since_epoch().count());
  lease.state_->term = term;
  return lease;
}

inline LeaseClock::time_point Lease::deadline() const {
  if (!state_) return LeaseClock::time_point::max();
  return LeaseClock::time_point(LeaseClock::duration(state_->deadline.load()));
}

inline void Lease::renew(LeaseClock::time_point deadline) const {
  if (!state_) return;
  auto current = state_->deadline.load();
  const auto wanted = deadline.time_since_epoch().count();
  const auto lost = LeaseClock::time_point::min().time_since_epoch().count();
  while (current != lost && current < wanted &&
         !state_->deadline.compare_exchange_weak(current, wanted)) {
  }
}

inline void Lease::lose() const {
  if (state_) state_->deadline.store(LeaseClock::time_point::min().time_since_epoch().count());
}

}  // namespace wc::source
