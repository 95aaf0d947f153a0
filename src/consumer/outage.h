#pragma once
// How long a place (the request source, the widget store, the dead-letter place) has been
// unreachable, for the one outage rule (attempt_budgets.h): back off while it fails, and give
// up once --outage-timeout has passed since it last answered. Thread-safe.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace wc::consumer {

class Outage {
 public:
  using Clock = std::chrono::steady_clock;

  /// `timeout` 0: never give up.
  explicit Outage(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  /// A call to the place failed for a reason waiting may mend (`why` names place and cause).
  void failed(const std::string& why, Clock::time_point now);
  /// The place answered: any outage is over.
  void answered();
  /// Since when it has been failing, if it is.
  std::optional<Clock::time_point> failing_since() const;
  /// The fatal message once the outage has lasted longer than the timeout, else nullopt.
  std::optional<std::string> exceeded(Clock::time_point now) const;

 private:
  const std::chrono::milliseconds timeout_;
  mutable std::mutex mutex_;
  std::optional<Clock::time_point> since_;
  std::string last_;
};

}  // namespace wc::consumer
