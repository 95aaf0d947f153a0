#pragma once
// Temporary credentials kept fresh: renewed in the background before they expire, so that no
// call waits for a renewal and none is signed with an expired set.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "aws/credential_source.h"
#include "aws/credentials.h"
#include "aws/renewal_schedule.h"
#include "util/expected.h"

namespace wc::aws {

/// What happened to a renewal, for logging by whoever owns the process.
struct CredentialsEvent {
  enum class Kind { renewed, renewal_failed };
  Kind kind = Kind::renewed;
  std::string provider;  ///< CredentialSource::describe()
  std::string error;     ///< renewal_failed: the cause
  /// renewed: the new set's expiry; renewal_failed: the expiry of the set still in use.
  std::optional<SystemTime> expiration;
  std::chrono::milliseconds retry_in{0};  ///< renewal_failed: when it is tried again
};
using CredentialsObserver = std::function<void(const CredentialsEvent&)>;

using SystemClock = std::function<SystemTime()>;

struct RenewalOptions {
  SystemClock clock = [] { return std::chrono::system_clock::now(); };
  /// Uniform in [0, 1): where between 50 % and 80 % of the lifetime renewal starts. Empty: a
  /// random number generator.
  std::function<double()> random_share;
  CredentialsObserver observer;
  /// Renew on a thread of its own before the set goes stale. Without it (a source of another
  /// provider, or tests driving renew_if_due), a set is renewed when current() finds it stale.
  bool background = true;
};

/// Wraps a CredentialSource. current() returns the held set until it goes stale (see
/// renewal_times); the background thread renews it before that, retrying failures with
/// renewal_retry_delay. A caller that finds the set stale renews it itself, the others waiting
/// for that one renewal; if it fails, current() returns an error naming the source, the expiry
/// and the cause (and, for a second, returns that error again without asking the source).
class RenewingCredentialsProvider final : public CredentialsProvider {
 public:
  /// Fetches the first set; failing that, returns "<source>: <cause>". A first set without an
  /// expiry never needs renewing: the result is then a StaticCredentialsProvider.
  static util::Expected<std::shared_ptr<CredentialsProvider>, std::string> start(
      std::unique_ptr<CredentialSource> source, RenewalOptions options);

  ~RenewingCredentialsProvider() override;
  RenewingCredentialsProvider(const RenewingCredentialsProvider&) = delete;
  RenewingCredentialsProvider& operator=(const RenewingCredentialsProvider&) = delete;

  util::Expected<std::shared_ptr<const Credentials>, std::string> current() override;
  std::string describe() const override;

  /// One step of the background renewal: renews when it is due (or retries a failed one) and
  /// returns when the next step is due. Public so that tests can drive it with their clock.
  SystemTime renew_if_due();

  /// Sets obtained so far, the first one included.
  int fetches() const;

  class State;

 private:
  explicit RenewingCredentialsProvider(std::shared_ptr<State> state);
  void run_in_background();

  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace wc::aws
