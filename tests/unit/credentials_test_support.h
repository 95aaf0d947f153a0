#pragma once
// Test doubles for the credentials code: a clock tests move by hand, a scripted credential
// source, and a chain context whose network is made of fakes.

#include <deque>
#include <mutex>
#include <string>

#include "aws/credential_source.h"
#include "aws/credentials_chain.h"
#include "aws_test_env.h"
#include "fake_transport.h"

namespace wc::aws::testing_support {

/// 2024-05-01T12:00:00Z, a fixed "now" for tests.
inline SystemTime test_epoch() { return SystemTime(std::chrono::seconds(1'714'564'800)); }

/// A clock that only moves when told to. Thread-safe.
class FakeClock {
 public:
  SystemTime now() const {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void advance(SystemTime::duration by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }
  void set(SystemTime to) {
    std::lock_guard lock(mutex_);
    now_ = to;
  }
  SystemClock function() {
    return [this] { return now(); };
  }

 private:
  mutable std::mutex mutex_;
  SystemTime now_ = test_epoch();
};

/// Answers fetch() from a script (then repeats the last answer) and counts the calls. The
/// script is shared, so a test keeps control after handing the source to a provider.
class ScriptedSource final : public CredentialSource {
 public:
  using Answer = util::Expected<Credentials, std::string>;
  struct Script {
    std::mutex mutex;
    std::deque<Answer> answers;
    int fetches = 0;

    void push(Answer answer) {
      std::lock_guard lock(mutex);
      answers.push_back(std::move(answer));
    }
    int count() {
      std::lock_guard lock(mutex);
      return fetches;
    }
  };

  explicit ScriptedSource(std::shared_ptr<Script> script) : script_(std::move(script)) {}

  Answer fetch() override {
    std::lock_guard lock(script_->mutex);
    ++script_->fetches;
    if (script_->answers.empty()) return util::Unexpected(std::string("script exhausted"));
    Answer answer = script_->answers.front();
    if (script_->answers.size() > 1) script_->answers.pop_front();
    return answer;
  }
  std::string describe() const override { return "scripted source"; }

 private:
  std::shared_ptr<Script> script_;
};

/// A set of keys named `id` that expires `lifetime` after `from`.
inline Credentials expiring(const std::string& id, SystemTime from, SystemTime::duration lifetime) {
  return Credentials{id, "secret-" + id, "token-" + id, from + lifetime};
}

/// A chain context over a fake HOME and environment, with one fake transport per network
/// part, a fake clock, and no background renewal. Instance metadata is disabled unless a test
/// removes AWS_EC2_METADATA_DISABLED.
struct ChainFixture {
  FakeHome home;
  FakeEnv env;
  FakeClock clock;
  std::shared_ptr<aws::testing::FakeTransport> sts =
      std::make_shared<aws::testing::FakeTransport>();
  std::shared_ptr<aws::testing::FakeTransport> container =
      std::make_shared<aws::testing::FakeTransport>();
  std::shared_ptr<aws::testing::FakeTransport> metadata =
      std::make_shared<aws::testing::FakeTransport>();

  ChainFixture() {
    env.variables["HOME"] = home.path();
    env.variables["AWS_EC2_METADATA_DISABLED"] = "true";
  }

  ChainContext context(const std::string& explicit_profile = "") {
    ChainContext out;
    out.env = env.lookup();
    out.explicit_profile = explicit_profile;
    out.region = "eu-west-1";
    out.network = CredentialsNetwork{sts, container, metadata};
    out.renewal.clock = clock.function();
    out.renewal.random_share = [] { return 0.0; };
    out.renewal.background = false;
    out.retry.max_attempts = 2;
    out.retry.base_delay = std::chrono::milliseconds(0);
    out.container.retry_delay = std::chrono::milliseconds(0);
    return out;
  }
};

}  // namespace wc::aws::testing_support
