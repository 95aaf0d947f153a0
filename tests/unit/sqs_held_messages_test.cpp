// Held queue messages and their heartbeat, on explicit times: which leases are renewed when,
// and what a refused renewal does.

#include <gtest/gtest.h>

#include <algorithm>

#include "source/held_messages.h"
#include "source/visibility_heartbeat.h"

namespace wc::source {
namespace {

using namespace std::chrono_literals;

constexpr auto k_lease = std::chrono::milliseconds(40'000);
const LeaseClock::time_point t0{};

HeldMessage message(std::string receipt, LeaseClock::time_point received, std::string group = {}) {
  return HeldMessage{receipt, "id-" + receipt, std::move(group), "body-" + receipt,
                     received + k_lease};
}

std::vector<std::string> receipts_of(const std::vector<HeldMessage>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.receipt);
  return out;
}

std::vector<std::string> receipts_of(const std::vector<HeldMessages::Due>& due) {
  std::vector<std::string> out;
  for (const auto& d : due) out.push_back(d.receipt);
  return out;
}

TEST(HeldMessages, HeldMessageGivesItsBodyUntilTaken) {
  HeldMessages held(k_lease);
  held.add(message("a", t0));
  EXPECT_EQ(held.body("a"), "body-a");
  EXPECT_EQ(held.size(), 1u);  // reading does not forget it: only remove/release do
  EXPECT_TRUE(held.take("a"));
  EXPECT_FALSE(held.body("a"));
  EXPECT_FALSE(held.body("never-received"));
}

TEST(HeldMessages, LostMessageIsNoLongerRenewedButCanStillBeWorkedOn) {
  HeldMessages held(k_lease);
  held.add(message("a", t0));
  held.add(message("b", t0));
  EXPECT_TRUE(held.mark_lost("a"));
  EXPECT_FALSE(held.mark_lost("a"));  // once
  EXPECT_FALSE(held.mark_lost("never-received"));
  EXPECT_EQ(receipts_of(held.due(t0 + 30s)), std::vector<std::string>{"b"});
  EXPECT_EQ(held.body("a"), "body-a");
}

TEST(HeldMessages, FreshMessageMayStart) {
  HeldMessages held(k_lease);
  held.add(message("a", t0));
  std::vector<HeldMessage> to_release;
  EXPECT_TRUE(held.startable("a", t0 + 29s, to_release));
  EXPECT_TRUE(to_release.empty());
  EXPECT_EQ(held.size(), 1u);
}

TEST(HeldMessages, MessageWithLessThanAQuarterLeaseLeftIsGivenUpNotStarted) {
  HeldMessages held(k_lease);
  held.add(message("a", t0));
  std::vector<HeldMessage> to_release;
  EXPECT_FALSE(held.startable("a", t0 + 31s, to_release));
  EXPECT_EQ(held.size(), 0u);
  EXPECT_EQ(receipts_of(to_release), std::vector<std::string>{"a"});  // still ours: given back
  EXPECT_FALSE(held.startable("a", t0, to_release));                  // gone for good
}

TEST(HeldMessages, MessageWhoseLeaseEndedIsGivenUpButNotTouched) {
  HeldMessages held(k_lease);
  held.add(message("a", t0));
  std::vector<HeldMessage> to_release;
  EXPECT_FALSE(held.startable("a", t0 + 41s, to_release));
  EXPECT_TRUE(to_release.empty());
}

TEST(HeldMessages, LostMessageIsGivenUpWhenItWouldStart) {
  HeldMessages held(k_lease);
  held.add(message("a", t0));
  held.mark_lost("a");
  std::vector<HeldMessage> to_release;
  EXPECT_FALSE(held.startable("a", t0, to_release));
  EXPECT_TRUE(to_release.empty());
  EXPECT_FALSE(held.body("a"));
}

TEST(HeldMessages, GivingUpReleasesTheLaterMessagesOfItsGroupOnly) {
  HeldMessages held(k_lease);
  held.add(message("g1-first", t0, "g1"));
  held.add(message("g2-first", t0, "g2"));
  held.add(message("g1-second", t0 + 20s, "g1"));
  held.add(message("g1-third", t0 + 20s, "g1"));
  std::vector<HeldMessage> to_release;
  EXPECT_FALSE(held.startable("g1-first", t0 + 31s, to_release));
  EXPECT_EQ(receipts_of(to_release),
            (std::vector<std::string>{"g1-first", "g1-second", "g1-third"}));
  EXPECT_FALSE(held.startable("g1-second", t0 + 31s, to_release));  // given back: not ours
  EXPECT_EQ(receipts_of(held.take_all()), std::vector<std::string>{"g2-first"});
}

TEST(HeldMessages, EarlierMessagesOfTheGroupAreKept) {
  HeldMessages held(k_lease);
  held.add(message("first", t0 + 20s, "g"));
  held.add(message("second", t0, "g"));
  std::vector<HeldMessage> to_release;
  EXPECT_FALSE(held.startable("second", t0 + 31s, to_release));
  EXPECT_EQ(receipts_of(to_release), std::vector<std::string>{"second"});
  EXPECT_TRUE(held.startable("first", t0 + 31s, to_release));
}

TEST(HeldMessages, StandardQueueMessagesAreGivenUpAlone) {
  HeldMessages held(k_lease);
  held.add(message("a", t0));
  held.add(message("b", t0 + 20s));
  std::vector<HeldMessage> to_release;
  EXPECT_FALSE(held.startable("a", t0 + 31s, to_release));
  EXPECT_EQ(receipts_of(to_release), std::vector<std::string>{"a"});
  EXPECT_TRUE(held.startable("b", t0 + 31s, to_release));
}

TEST(HeldMessages, LeasesThatEndedUnrenewedAreMarkedLostOnce) {
  HeldMessages held(k_lease);
  held.add(message("old", t0));
  held.add(message("new", t0 + 10s));
  auto expired = held.expire(t0 + 45s);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].message_id, "id-old");
  EXPECT_TRUE(held.expire(t0 + 45s).empty());
  EXPECT_EQ(receipts_of(held.due(t0 + 45s)), std::vector<std::string>{"new"});
}

TEST(HeldMessages, RenewalIsDueAtHalfTheLeaseAndPushesTheDeadline) {
  HeldMessages held(k_lease);
  held.add(message("old", t0));
  held.add(message("new", t0 + 10s));
  EXPECT_TRUE(held.due(t0 + 19s).empty());
  EXPECT_EQ(receipts_of(held.due(t0 + 21s)), std::vector<std::string>{"old"});
  EXPECT_EQ(receipts_of(held.due(t0 + 31s)), (std::vector<std::string>{"old", "new"}));
  held.renewed({"old"}, t0 + 30s);
  EXPECT_EQ(receipts_of(held.due(t0 + 31s)), std::vector<std::string>{"new"});
  EXPECT_EQ(receipts_of(held.due(t0 + 51s)), (std::vector<std::string>{"old", "new"}));
}

TEST(HeldMessages, TakenMessagesAreNeitherRenewedNorRevived) {
  HeldMessages held(k_lease);
  held.add(message("a", t0));
  EXPECT_TRUE(held.take("a"));
  EXPECT_FALSE(held.take("a"));
  held.renewed({"a"}, t0 + 1s);
  EXPECT_TRUE(held.due(t0 + 39s).empty());
}

TEST(HeldMessages, TakeAllKeepsReceiveOrder) {
  HeldMessages held(k_lease);
  for (std::string r : {"z", "a", "m"}) held.add(message(r, t0));
  EXPECT_EQ(receipts_of(held.take_all()), (std::vector<std::string>{"z", "a", "m"}));
  EXPECT_EQ(held.size(), 0u);
}

struct HeartbeatTest : ::testing::Test {
  HeldMessages held{k_lease};
  std::vector<std::vector<std::string>> renew_calls;
  std::vector<int> renew_seconds;
  std::vector<VisibilityHeartbeat::RenewFailure> failures;
  bool call_fails = false;
  std::vector<std::string> warnings;

  VisibilityHeartbeat heartbeat{
      held,
      [this](const std::vector<std::string>& receipts, int seconds)
          -> util::Expected<std::vector<VisibilityHeartbeat::RenewFailure>, std::string> {
        renew_calls.push_back(receipts);
        renew_seconds.push_back(seconds);
        if (call_fails) return util::Unexpected(std::string("connection refused"));
        return failures;
      },
      [this](const std::string& warning) { warnings.push_back(warning); }};
};

TEST_F(HeartbeatTest, RenewsDueMessagesInBatchesOfTenForAWholeLease) {
  const auto now = LeaseClock::now();
  for (int i = 0; i < 12; ++i) held.add(message("r" + std::to_string(i), now - 30s));
  heartbeat.beat(now);
  ASSERT_EQ(renew_calls.size(), 2u);
  EXPECT_EQ(renew_calls[0].size(), 10u);
  EXPECT_EQ(renew_calls[1], (std::vector<std::string>{"r10", "r11"}));
  EXPECT_EQ(renew_seconds[0], 40);
  EXPECT_TRUE(held.due(now + 19s).empty());  // renewed from the time of the call
}

TEST_F(HeartbeatTest, LeaseThatRanOutBeforeItsRenewalIsNotRenewedButWarnedOf) {
  const auto now = LeaseClock::now();
  held.add(message("late", now - 41s));
  held.add(message("in-time", now - 30s));
  heartbeat.beat(now);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("1 held message(s) (id-late) became visible"), std::string::npos);
  EXPECT_EQ(renew_calls.at(0), std::vector<std::string>{"in-time"});
  std::vector<HeldMessage> to_release;
  EXPECT_FALSE(held.startable("late", now, to_release));
}

TEST_F(HeartbeatTest, NothingDueNothingSent) {
  held.add(message("a", LeaseClock::now()));
  heartbeat.beat(LeaseClock::now());
  EXPECT_TRUE(renew_calls.empty());
}

TEST_F(HeartbeatTest, RefusedRenewalMarksTheMessageLostAndWarnsOnce) {
  const auto now = LeaseClock::now();
  held.add(message("first", now - 30s));
  held.add(message("other", now - 30s));
  failures = {{"first", "ReceiptHandleIsInvalid: expired"}};
  heartbeat.beat(now);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("id-first"), std::string::npos);
  EXPECT_NE(warnings[0].find("ReceiptHandleIsInvalid"), std::string::npos);
  EXPECT_TRUE(held.due(now + 1s).empty());  // "other" renewed, "first" no longer tried
  EXPECT_EQ(held.body("first"), "body-first");
  heartbeat.beat(now + 25s);
  EXPECT_EQ(renew_calls.back(), std::vector<std::string>{"other"});
  EXPECT_EQ(warnings.size(), 1u);
}

TEST_F(HeartbeatTest, RefusalForAMessageDeletedMeanwhileIsIgnored) {
  const auto now = LeaseClock::now();
  held.add(message("a", now - 30s));
  failures = {{"gone", "ReceiptHandleIsInvalid"}};
  heartbeat.beat(now);
  EXPECT_TRUE(warnings.empty());
}

TEST_F(HeartbeatTest, FailedCallKeepsTheMessagesAndTriesAgainNextBeat) {
  const auto now = LeaseClock::now();
  held.add(message("a", now - 30s));
  call_fails = true;
  heartbeat.beat(now);
  EXPECT_EQ(held.size(), 1u);
  EXPECT_EQ(warnings.size(), 1u);
  call_fails = false;
  heartbeat.beat(now + 1s);
  EXPECT_EQ(renew_calls.size(), 2u);
  EXPECT_TRUE(held.due(now + 15s).empty());
}

TEST(VisibilityHeartbeatThread, RenewsOnItsOwnAndStopsWhenDestroyed) {
  HeldMessages held(std::chrono::milliseconds(2'000));
  held.add(HeldMessage{"a", "id-a", "", "b", LeaseClock::now() + 900ms});
  std::atomic<int> calls{0};
  {
    VisibilityHeartbeat heartbeat(
        held,
        [&](const std::vector<std::string>&,
            int) -> util::Expected<std::vector<VisibilityHeartbeat::RenewFailure>, std::string> {
          ++calls;
          return std::vector<VisibilityHeartbeat::RenewFailure>{};
        },
        [](const std::string&) {});
    heartbeat.start();
    for (int i = 0; i < 100 && calls == 0; ++i) std::this_thread::sleep_for(20ms);
  }
  EXPECT_GE(calls.load(), 1);
  EXPECT_TRUE(held.due(LeaseClock::now()).empty());  // renewed for a whole lease
}

}  // namespace
}  // namespace wc::source
