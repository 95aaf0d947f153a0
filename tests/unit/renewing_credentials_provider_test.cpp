#include "aws/renewing_credentials_provider.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>

#include "credentials_test_support.h"

namespace wc::aws {
namespace {

using namespace std::chrono_literals;
using testing_support::expiring;
using testing_support::FakeClock;
using testing_support::ScriptedSource;
using testing_support::test_epoch;

class RenewingProviderTest : public ::testing::Test {
 protected:
  /// Starts a provider over the script, driven by hand (no thread), renewing at 50 %.
  std::shared_ptr<CredentialsProvider> start() {
    RenewalOptions options;
    options.clock = clock.function();
    options.random_share = [] { return 0.0; };
    options.observer = [this](const CredentialsEvent& event) { events.push_back(event); };
    options.background = false;
    auto started =
        RenewingCredentialsProvider::start(std::make_unique<ScriptedSource>(script), options);
    EXPECT_TRUE(started) << started.error();
    return started ? *started : nullptr;
  }

  RenewingCredentialsProvider& renewing(const std::shared_ptr<CredentialsProvider>& provider) {
    auto* renewing = dynamic_cast<RenewingCredentialsProvider*>(provider.get());
    EXPECT_NE(renewing, nullptr);
    return *renewing;
  }

  std::string key_of(const std::shared_ptr<CredentialsProvider>& provider) {
    auto credentials = provider->current();
    return credentials ? (*credentials)->access_key_id : "error: " + credentials.error();
  }

  FakeClock clock;
  std::shared_ptr<ScriptedSource::Script> script = std::make_shared<ScriptedSource::Script>();
  std::vector<CredentialsEvent> events;
};

TEST_F(RenewingProviderTest, AFailedFirstFetchNamesTheSourceAndTheCause) {
  script->push(util::Unexpected(std::string("HTTP 500: agent down")));
  RenewalOptions options;
  options.background = false;
  auto started =
      RenewingCredentialsProvider::start(std::make_unique<ScriptedSource>(script), options);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error(), "scripted source: HTTP 500: agent down");
}

TEST_F(RenewingProviderTest, ASetWithoutExpiryIsHandedOutAsStaticKeys) {
  script->push(Credentials{"AKIDFOREVER", "s", ""});
  auto provider = start();
  ASSERT_TRUE(provider);
  EXPECT_EQ(dynamic_cast<RenewingCredentialsProvider*>(provider.get()), nullptr);
  clock.advance(1000h);
  EXPECT_EQ(key_of(provider), "AKIDFOREVER");
  EXPECT_EQ(provider->describe(), "scripted source");
  EXPECT_EQ(script->count(), 1);
}

TEST_F(RenewingProviderTest, TheHeldSetServesUntilRenewalIsDueWithoutAskingTheSource) {
  script->push(expiring("FIRST", test_epoch(), 1h));
  auto provider = start();
  clock.advance(29min);
  EXPECT_EQ(key_of(provider), "FIRST");
  EXPECT_EQ(renewing(provider).renew_if_due(), test_epoch() + 30min);
  EXPECT_EQ(script->count(), 1);
}

TEST_F(RenewingProviderTest, TheBackgroundStepRenewsWhenDueAndEveryCallerSeesTheNewSetAtOnce) {
  script->push(expiring("FIRST", test_epoch(), 1h));
  script->push(expiring("SECOND", test_epoch() + 30min, 1h));
  auto provider = start();
  clock.advance(30min);
  EXPECT_EQ(renewing(provider).renew_if_due(), test_epoch() + 60min);
  EXPECT_EQ(key_of(provider), "SECOND");
  EXPECT_EQ(script->count(), 2);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, CredentialsEvent::Kind::renewed);
  EXPECT_EQ(events[0].provider, "scripted source");
  EXPECT_EQ(events[0].expiration, test_epoch() + 90min);
}

TEST_F(RenewingProviderTest, AStaleSetIsRenewedByTheCallerThatFindsIt) {
  script->push(expiring("FIRST", test_epoch(), 1h));
  script->push(expiring("SECOND", test_epoch() + 59min, 1h));
  auto provider = start();
  clock.advance(59min - 1ms);
  EXPECT_EQ(key_of(provider), "FIRST");
  clock.advance(1ms);  // a minute before expiry: stale
  EXPECT_EQ(key_of(provider), "SECOND");
  EXPECT_EQ(script->count(), 2);
}

TEST_F(RenewingProviderTest, AFailedRenewalIsRetriedWithBackOffWhileTheHeldSetStillServes) {
  script->push(expiring("FIRST", test_epoch(), 1h));
  auto provider = start();
  script->push(util::Unexpected(std::string("STS is down")));
  script->answers.pop_front();  // the next fetches fail
  clock.advance(30min);
  EXPECT_EQ(renewing(provider).renew_if_due(), test_epoch() + 30min + 1s);
  clock.advance(1s);
  EXPECT_EQ(renewing(provider).renew_if_due(), test_epoch() + 30min + 3s);
  EXPECT_EQ(key_of(provider), "FIRST");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, CredentialsEvent::Kind::renewal_failed);
  EXPECT_EQ(events[1].error, "STS is down");
  EXPECT_EQ(events[1].retry_in, 2s);
  EXPECT_EQ(events[1].expiration, test_epoch() + 1h);

  script->push(expiring("SECOND", test_epoch() + 30min + 3s, 1h));
  script->answers.pop_front();
  clock.advance(2s);
  renewing(provider).renew_if_due();
  EXPECT_EQ(key_of(provider), "SECOND");
  EXPECT_EQ(script->count(), 4);
}

TEST_F(RenewingProviderTest, ASetThatCouldNotBeRenewedIsNeverUsedPastStaleAndTheErrorSaysWhy) {
  script->push(expiring("FIRST", test_epoch(), 1h));
  auto provider = start();
  script->push(util::Unexpected(std::string("HTTP 500: agent down")));
  script->answers.pop_front();
  clock.advance(1h);
  auto credentials = provider->current();
  ASSERT_FALSE(credentials);
  EXPECT_EQ(credentials.error(),
            "scripted source: the credentials expired at 2024-05-01T13:00:00Z and could not be "
            "renewed: HTTP 500: agent down");

  clock.set(test_epoch() + 59min);  // stale, not yet expired
  credentials = provider->current();
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("expire at 2024-05-01T13:00:00Z"), std::string::npos)
      << credentials.error();
}

TEST_F(RenewingProviderTest, AFailedRenewalAnswersOtherCallersForASecondWithoutAskingAgain) {
  script->push(expiring("FIRST", test_epoch(), 1h));
  auto provider = start();
  script->push(util::Unexpected(std::string("down")));
  script->answers.pop_front();
  clock.advance(1h);
  EXPECT_FALSE(provider->current());
  EXPECT_FALSE(provider->current());
  EXPECT_EQ(script->count(), 2);
  clock.advance(1s);
  EXPECT_FALSE(provider->current());
  EXPECT_EQ(script->count(), 3);
}

TEST_F(RenewingProviderTest, ASetThatArrivesAlreadyExpiredIsRefused) {
  script->push(expiring("OLD", test_epoch() - 2h, 1h));
  RenewalOptions options;
  options.clock = clock.function();
  options.background = false;
  auto started =
      RenewingCredentialsProvider::start(std::make_unique<ScriptedSource>(script), options);
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().find("had already expired (at 2024-05-01T11:00:00Z"), std::string::npos)
      << started.error();
}

/// Hands out sets that live `lifetime` on the real clock, counting them.
class ShortLivedSource final : public CredentialSource {
 public:
  ShortLivedSource(std::atomic<int>& fetches, std::chrono::milliseconds lifetime)
      : fetches_(fetches), lifetime_(lifetime) {}
  util::Expected<Credentials, std::string> fetch() override {
    const int number = ++fetches_;
    return Credentials{"KEY" + std::to_string(number), "s", "t",
                       std::chrono::system_clock::now() + lifetime_};
  }
  std::string describe() const override { return "short-lived source"; }

 private:
  std::atomic<int>& fetches_;
  std::chrono::milliseconds lifetime_;
};

TEST(RenewingProviderThread, RenewsInTheBackgroundAndNeverHandsOutAStaleSet) {
  std::atomic<int> fetches{0};
  auto started = RenewingCredentialsProvider::start(
      std::make_unique<ShortLivedSource>(fetches, 600ms), RenewalOptions{});
  ASSERT_TRUE(started) << started.error();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  int calls = 0;
  while (fetches < 3 && std::chrono::steady_clock::now() < deadline) {
    // Whatever the scheduling, a set handed out was fresh when asked for: at least a tenth of
    // its 600 ms lifetime was left.
    const SystemTime asked = std::chrono::system_clock::now();
    auto credentials = (*started)->current();
    ASSERT_TRUE(credentials) << credentials.error();
    ASSERT_LT(asked, *(*credentials)->expiration - 60ms);
    ++calls;
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_GE(fetches, 3) << "the background thread renewed too few times";
  EXPECT_GT(calls, 10);
}

TEST(RenewingProviderThread, RenewsWithNobodyAsking) {
  std::atomic<int> fetches{0};
  auto started = RenewingCredentialsProvider::start(
      std::make_unique<ShortLivedSource>(fetches, 200ms), RenewalOptions{});
  ASSERT_TRUE(started) << started.error();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (fetches < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GE(fetches, 3);
}

/// A source whose renewals hang until released.
class HangingSource final : public CredentialSource {
 public:
  explicit HangingSource(std::shared_future<void> release) : release_(std::move(release)) {}
  util::Expected<Credentials, std::string> fetch() override {
    if (first_) {
      first_ = false;
      return Credentials{"KEY", "s", "t", std::chrono::system_clock::now() + 100ms};
    }
    release_.wait();
    return util::Unexpected(std::string("released"));
  }
  std::string describe() const override { return "hanging source"; }

 private:
  bool first_ = true;
  std::shared_future<void> release_;
};

TEST(RenewingProviderThread, DestroyingItDoesNotWaitForARenewalThatHangs) {
  std::promise<void> release;
  auto started = RenewingCredentialsProvider::start(
      std::make_unique<HangingSource>(release.get_future().share()), RenewalOptions{});
  ASSERT_TRUE(started) << started.error();
  std::this_thread::sleep_for(150ms);  // the background renewal is now waiting
  const auto before = std::chrono::steady_clock::now();
  started->reset();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
  release.set_value();
}

}  // namespace
}  // namespace wc::aws
