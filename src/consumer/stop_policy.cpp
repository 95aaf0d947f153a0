#include "consumer/stop_policy.h"

#include <algorithm>

namespace wc::consumer {

std::optional<StopReason> stop_due(const StopRules& rules, const StopState& state) {
  if (rules.max_runtime.count() > 0 && state.now - state.started >= rules.max_runtime) {
    return StopReason::max_runtime;
  }
  const bool idle = state.in_hand == 0 && state.last_fruitless_poll >= state.last_work;
  if (idle && rules.idle_timeout.count() > 0 && state.now - state.last_work >= rules.idle_timeout) {
    return StopReason::idle_timeout;
  }
  return std::nullopt;
}

StopState::Clock::time_point poll_deadline(const StopRules& rules, const StopState& state) {
  auto deadline = StopState::Clock::time_point::max();
  if (rules.max_runtime.count() > 0) deadline = state.started + rules.max_runtime;
  if (rules.idle_timeout.count() > 0) {
    // With work in hand, idleness can start at the earliest when it is done: a poll begun now
    // need not wait longer than one idle timeout for that.
    const auto from = state.in_hand == 0 ? state.last_work : state.now;
    deadline = std::min(deadline, std::max(state.now, from + rules.idle_timeout));
  }
  return deadline;
}

}  // namespace wc::consumer
