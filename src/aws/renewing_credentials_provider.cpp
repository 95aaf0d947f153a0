#include "aws/renewing_credentials_provider.h"

#include <fmt/format.h>

#include <condition_variable>
#include <mutex>
#include <random>

#include "aws/iso8601.h"
#include "util/thread_rng.h"

namespace wc::aws {

namespace {

/// After a failed renewal on a caller's thread, the other callers get the same answer for this
/// long instead of each asking the source again.
constexpr std::chrono::seconds k_failure_hold{1};
/// How long the destructor waits for a renewal in progress before leaving the thread to finish
/// on its own: a stop must not wait for a slow STS.
constexpr std::chrono::milliseconds k_stop_wait{500};
/// The background thread looks again at least this often.
constexpr std::chrono::hours k_longest_wait{1};

struct Snapshot {
  std::shared_ptr<const Credentials> credentials;
  RenewalTimes times;
};

double random_share() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(util::thread_rng());
}

}  // namespace

class RenewingCredentialsProvider::State {
 public:
  State(std::unique_ptr<CredentialSource> source, RenewalOptions options)
      : source_(std::move(source)), options_(std::move(options)) {
    if (!options_.random_share) options_.random_share = random_share;
  }

  util::Expected<Snapshot, std::string> first_fetch() {
    std::lock_guard fetch_lock(fetch_mutex_);
    return fetch(options_.clock());
  }

  /// Fetches a set and makes it current; the cause on failure. Caller holds fetch_mutex_.
  util::Expected<Snapshot, std::string> fetch(SystemTime now) {
    auto fetched = source_->fetch();
    if (!fetched) return util::Unexpected(std::move(fetched).error());
    ++fetches_;
    Snapshot snapshot;
    if (fetched->expiration) {
      if (*fetched->expiration <= now) {
        return util::Unexpected(
            fmt::format("the credentials received had already expired (at {}; is the clock right?)",
                        format_iso8601(*fetched->expiration)));
      }
      snapshot.times = renewal_times(now, *fetched->expiration, options_.random_share());
    } else {
      snapshot.times = {SystemTime::max(), SystemTime::max()};
    }
    snapshot.credentials = std::make_shared<const Credentials>(std::move(*fetched));
    {
      std::lock_guard lock(snapshot_mutex_);
      snapshot_ = snapshot;
    }
    failures_ = 0;
    failed_at_.reset();
    next_attempt_ = snapshot.times.renew_at;
    return snapshot;
  }

  Snapshot snapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
  }

  util::Expected<std::shared_ptr<const Credentials>, std::string> current() {
    const SystemTime now = options_.clock();
    Snapshot held = snapshot();
    if (now < held.times.stale_at) return held.credentials;
    return renew_now(now);
  }

  /// The set is stale: renew it on this thread (once for all the callers waiting here).
  util::Expected<std::shared_ptr<const Credentials>, std::string> renew_now(SystemTime now) {
    std::lock_guard fetch_lock(fetch_mutex_);
    Snapshot held = snapshot();
    if (now < held.times.stale_at) return held.credentials;  // renewed while we waited
    if (!failed_at_ || now - *failed_at_ >= k_failure_hold) {
      auto renewed = fetch(now);
      if (renewed) {
        notify_renewed(*renewed);
        return renewed->credentials;
      }
      last_error_ = std::move(renewed).error();
      failed_at_ = now;
    }
    const SystemTime expiry = held.credentials->expiration.value_or(now);
    return util::Unexpected(fmt::format("{}: the credentials {} at {} and could not be renewed: {}",
                                        source_->describe(), now < expiry ? "expire" : "expired",
                                        format_iso8601(expiry), last_error_));
  }

  SystemTime renew_if_due() {
    std::lock_guard fetch_lock(fetch_mutex_);
    const SystemTime now = options_.clock();
    if (now < next_attempt_) return next_attempt_;
    auto renewed = fetch(now);
    if (renewed) {
      notify_renewed(*renewed);
      return next_attempt_;
    }
    last_error_ = std::move(renewed).error();
    ++failures_;
    const Snapshot held = snapshot();
    const auto until_stale =
        std::chrono::duration_cast<std::chrono::milliseconds>(held.times.stale_at - now);
    const auto delay = until_stale.count() > 0
                           ? renewal_retry_delay(failures_, until_stale)
                           : renewal_retry_delay(failures_, k_max_retry_delay * 2);
    next_attempt_ = now + delay;
    if (options_.observer) {
      options_.observer(CredentialsEvent{CredentialsEvent::Kind::renewal_failed,
                                         source_->describe(), last_error_,
                                         held.credentials->expiration, delay});
    }
    return next_attempt_;
  }

  std::string describe() const { return source_->describe(); }
  int fetches() const {
    std::lock_guard fetch_lock(fetch_mutex_);
    return fetches_;
  }
  const RenewalOptions& options() const { return options_; }

  // The background thread's stop signal.
  std::mutex wait_mutex;
  std::condition_variable wake;
  bool stopping = false;
  bool exited = false;

 private:
  void notify_renewed(const Snapshot& snapshot) {
    if (options_.observer && fetches_ > 1) {
      options_.observer(CredentialsEvent{CredentialsEvent::Kind::renewed,
                                         source_->describe(),
                                         {},
                                         snapshot.credentials->expiration,
                                         {}});
    }
  }

  std::unique_ptr<CredentialSource> source_;
  RenewalOptions options_;
  mutable std::mutex snapshot_mutex_;
  Snapshot snapshot_;
  mutable std::mutex fetch_mutex_;  // one fetch at a time; guards what follows
  int fetches_ = 0;
  int failures_ = 0;
  SystemTime next_attempt_{};
  std::optional<SystemTime> failed_at_;
  std::string last_error_;
};

util::Expected<std::shared_ptr<CredentialsProvider>, std::string>
RenewingCredentialsProvider::start(std::unique_ptr<CredentialSource> source,
                                   RenewalOptions options) {
  auto state = std::make_shared<State>(std::move(source), std::move(options));
  auto first = state->first_fetch();
  if (!first) return util::Unexpected(state->describe() + ": " + first.error());
  if (!first->credentials->expiration) {
    return static_credentials(*first->credentials, state->describe());
  }
  std::shared_ptr<RenewingCredentialsProvider> provider(new RenewingCredentialsProvider(state));
  if (state->options().background) provider->run_in_background();
  return std::shared_ptr<CredentialsProvider>(std::move(provider));
}

RenewingCredentialsProvider::RenewingCredentialsProvider(std::shared_ptr<State> state)
    : state_(std::move(state)) {}

void RenewingCredentialsProvider::run_in_background() {
  // The thread holds the state, so that it may outlive this object (see the destructor).
  thread_ = std::thread([state = state_] {
    std::unique_lock lock(state->wait_mutex);
    while (!state->stopping) {
      lock.unlock();
      const SystemTime next = state->renew_if_due();
      lock.lock();
      // Capped: a set without expiry is due at SystemTime::max(), too far for a timed wait.
      const auto wait =
          std::min<SystemTime::duration>(next - state->options().clock(), k_longest_wait);
      if (wait > SystemTime::duration::zero()) {
        state->wake.wait_for(lock, wait, [&] { return state->stopping; });
      }
    }
    state->exited = true;
    state->wake.notify_all();
  });
}

RenewingCredentialsProvider::~RenewingCredentialsProvider() {
  if (!thread_.joinable()) return;
  std::unique_lock lock(state_->wait_mutex);
  state_->stopping = true;
  state_->wake.notify_all();
  const bool exited = state_->wake.wait_for(lock, k_stop_wait, [&] { return state_->exited; });
  lock.unlock();
  if (exited) {
    thread_.join();
  } else {
    thread_.detach();  // a renewal is still waiting for its source; it ends on its own
  }
}

util::Expected<std::shared_ptr<const Credentials>, std::string>
RenewingCredentialsProvider::current() {
  return state_->current();
}

std::string RenewingCredentialsProvider::describe() const { return state_->describe(); }

SystemTime RenewingCredentialsProvider::renew_if_due() { return state_->renew_if_due(); }

int RenewingCredentialsProvider::fetches() const { return state_->fetches(); }

}  // namespace wc::aws
