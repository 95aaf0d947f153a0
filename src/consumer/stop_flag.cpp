#include "consumer/stop_flag.h"

#include <algorithm>
#include <thread>

namespace wc::consumer {

namespace {

// Signal handlers cannot wake a condition variable safely, so waits poll the flag this often.
constexpr std::chrono::milliseconds k_stop_check_interval{20};

}  // namespace

bool StopFlag::sleep_for(std::chrono::milliseconds duration) const {
  auto deadline = std::chrono::steady_clock::now() + duration;
  while (!stop_requested()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return true;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(deadline - now, k_stop_check_interval));
  }
  return false;
}

}  // namespace wc::consumer
