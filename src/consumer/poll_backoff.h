#pragma once
// How long to wait before polling a source that was empty or unreachable: about 100 ms at
// first, doubling while it stays so, up to a cap (SPEC §6).

#include <algorithm>
#include <chrono>

namespace wc::consumer {

class PollBackoff {
 public:
  static constexpr std::chrono::milliseconds k_first_wait{100};
  static constexpr std::chrono::milliseconds k_max_wait{2000};

  /// The wait before the next poll; each call doubles the following one.
  std::chrono::milliseconds next() {
    auto wait = wait_;
    wait_ = std::min(wait_ * 2, k_max_wait);
    return wait;
  }
  /// A poll found work: the next empty poll waits k_first_wait again.
  void reset() { wait_ = k_first_wait; }

 private:
  std::chrono::milliseconds wait_ = k_first_wait;
};

}  // namespace wc::consumer
