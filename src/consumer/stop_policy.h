#pragma once
// When a run stops on its own (SPEC §2, §10): the maximum runtime, or the idle timeout, which
// counts time with nothing in hand while the source answered empty or did not answer at all.
// Pure: every input is a value, so each rule is a unit test.

#include <chrono>
#include <cstddef>
#include <optional>

#include "consumer/consumer.h"

namespace wc::consumer {

struct StopRules {
  std::chrono::milliseconds idle_timeout{0};  ///< 0: never stop for idleness
  std::chrono::milliseconds max_runtime{0};   ///< 0: no limit
};

struct StopState {
  using Clock = std::chrono::steady_clock;
  Clock::time_point now;
  Clock::time_point started;
  std::size_t in_hand = 0;  ///< requests handed out and not finished
  /// When work was last taken or finished: idleness counts from here.
  Clock::time_point last_work;
  /// When the last poll that found nothing (or failed) began; min() if none did.
  Clock::time_point last_fruitless_poll = Clock::time_point::min();
};

/// max_runtime or idle_timeout when due at `state.now`, else nullopt. Idle means: nothing in
/// hand, and a poll begun after the last work found nothing or failed, for the whole timeout.
std::optional<StopReason> stop_due(const StopRules& rules, const StopState& state);

/// The latest time a poll may wait for requests to arrive (a long poll) without overrunning
/// the idle timeout (counted from now while work is in hand) or the maximum runtime;
/// time_point::max() when neither applies.
StopState::Clock::time_point poll_deadline(const StopRules& rules, const StopState& state);

}  // namespace wc::consumer
