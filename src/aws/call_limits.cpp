#include "aws/call_limits.h"

#include <algorithm>

namespace wc::aws {

namespace {

thread_local CallLimits t_limits;

}  // namespace

const CallLimits& current_call_limits() { return t_limits; }

CallScope::CallScope(CallLimits limits) : saved_(t_limits) {
  if (saved_.deadline && limits.deadline) {
    limits.deadline = std::min(*saved_.deadline, *limits.deadline);
  } else if (!limits.deadline) {
    limits.deadline = saved_.deadline;
  }
  if (limits.cancel == nullptr) limits.cancel = saved_.cancel;
  t_limits = limits;
}

CallScope::~CallScope() { t_limits = saved_; }

}  // namespace wc::aws
