// Held queue messages, their leases and their heartbeat, on explicit times: which leases are
// renewed when, and what an ended lease or a refused renewal does to a message and its group.

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "source/held_messages.h"
#include "source/visibility_heartbeat.h"

namespace wc::source {
namespace {

using namespace std::chrono_literals;

constexpr auto k_term = std::chrono::milliseconds(40'000);
// A third of a term used up: a renewal is due (VisibilityHeartbeat).
constexpr auto k_due_within = k_term * 2 / 3;
const LeaseClock::time_point t0 = LeaseClock::time_point{} + 1000h;

HeldMessage message(std::string receipt, LeaseClock::time_point received, std::string group = {}) {
  return HeldMessage{receipt, "id-" + receipt, std::move(group),
                     Lease::until(received + k_term, k_term)};
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

TEST(Lease, ThatNeverEndsHoldsForAnyTime) {
  Lease lease;
  EXPECT_FALSE(lease.ends());
  EXPECT_TRUE(lease.holds_for(1000h, t0));
  lease.lose();  // a lease that never ends cannot be lost
  EXPECT_TRUE(lease.holds_for(1000h, t0));
}

TEST(Lease, HoldsUntilItsDeadlineAndRenewalMovesItOnlyLater) {
  Lease lease = Lease::until(t0 + 10s, 10s);
  EXPECT_TRUE(lease.holds_for(9s, t0));
  EXPECT_FALSE(lease.holds_for(10s, t0));
  lease.renew(t0 + 5s);  // earlier: ignored
  EXPECT_EQ(lease.deadline(), t0 + 10s);
  lease.renew(t0 + 20s);
  EXPECT_TRUE(lease.holds_for(19s, t0));
}

TEST(Lease, LostLeaseHoldsForNothingAndIsNotRevivedByARenewal) {
  Lease lease = Lease::until(t0 + 10s, 10s);
  Lease copy = lease;  // the pipeline's copy shares the state
  lease.lose();
  EXPECT_TRUE(copy.lost());
  EXPECT_FALSE(copy.holds_for(0s, t0));
  lease.renew(t0 + 100s);
  EXPECT_TRUE(copy.lost());
}

TEST(HeldMessages, TakenMessageIsForgotten) {
  HeldMessages held(k_term);
  held.add(message("a", t0));
  EXPECT_TRUE(held.holds("a"));
  EXPECT_EQ(held.size(), 1u);
  EXPECT_TRUE(held.take("a"));
  EXPECT_FALSE(held.holds("a"));
  EXPECT_FALSE(held.take("a"));
}

TEST(HeldMessages, GivingUpLosesTheLeaseAndReleasesItWhileItIsStillOurs) {
  HeldMessages held(k_term);
  auto a = message("a", t0);
  held.add(a);
  std::vector<HeldMessage> to_release;
  EXPECT_TRUE(held.give_up("a", t0 + 31s, to_release));
  EXPECT_EQ(receipts_of(to_release), std::vector<std::string>{"a"});
  EXPECT_TRUE(a.lease.lost()) << "the pipeline's copy must see it";
  EXPECT_EQ(held.size(), 0u);
  EXPECT_FALSE(held.give_up("a", t0, to_release));
}

TEST(HeldMessages, MessageWhoseLeaseEndedIsGivenUpButNotTouched) {
  HeldMessages held(k_term);
  held.add(message("a", t0));
  std::vector<HeldMessage> to_release;
  EXPECT_TRUE(held.give_up("a", t0 + 41s, to_release));
  EXPECT_TRUE(to_release.empty()) << "a stale receipt could touch another consumer's message";
}

TEST(HeldMessages, GivingUpTakesTheLaterMessagesOfItsGroupOnly) {
  HeldMessages held(k_term);
  held.add(message("g1-first", t0, "g1"));
  held.add(message("g2-first", t0, "g2"));
  auto second = message("g1-second", t0 + 20s, "g1");
  held.add(second);
  held.add(message("g1-third", t0 + 20s, "g1"));
  std::vector<HeldMessage> to_release;
  held.give_up("g1-first", t0 + 31s, to_release);
  EXPECT_EQ(receipts_of(to_release),
            (std::vector<std::string>{"g1-first", "g1-second", "g1-third"}));
  EXPECT_TRUE(second.lease.lost()) << "a later message of the group must not be applied";
  EXPECT_EQ(receipts_of(held.take_all(t0 + 31s)), std::vector<std::string>{"g2-first"});
}

TEST(HeldMessages, EarlierMessagesOfTheGroupAreKept) {
  HeldMessages held(k_term);
  auto first = message("first", t0 + 20s, "g");
  held.add(first);
  held.add(message("second", t0, "g"));
  std::vector<HeldMessage> to_release;
  held.give_up("second", t0 + 31s, to_release);
  EXPECT_EQ(receipts_of(to_release), std::vector<std::string>{"second"});
  EXPECT_FALSE(first.lease.lost());
  EXPECT_TRUE(held.holds("first"));
}

TEST(HeldMessages, StandardQueueMessagesAreGivenUpAlone) {
  HeldMessages held(k_term);
  held.add(message("a", t0));
  held.add(message("b", t0 + 20s));
  std::vector<HeldMessage> to_release;
  held.give_up("a", t0 + 31s, to_release);
  EXPECT_EQ(receipts_of(to_release), std::vector<std::string>{"a"});
  EXPECT_TRUE(held.holds("b"));
}

TEST(HeldMessages, EndedLeasesAreGivenUpOnceWithTheirGroupsLaterMessages) {
  HeldMessages held(k_term);
  held.add(message("old", t0, "g"));
  auto follower = message("follower", t0 + 10s, "g");
  held.add(follower);
  held.add(message("other", t0 + 10s, "h"));
  std::vector<HeldMessage> to_release;
  auto expired = held.expire(t0 + 45s, to_release);
  EXPECT_EQ(expired, std::vector<std::string>{"id-old"});
  EXPECT_EQ(receipts_of(to_release), std::vector<std::string>{"follower"});
  EXPECT_TRUE(follower.lease.lost());
  EXPECT_TRUE(held.expire(t0 + 45s, to_release).empty());
  EXPECT_EQ(receipts_of(held.due(t0 + 45s, k_due_within)), std::vector<std::string>{"other"});
}

TEST(HeldMessages, RenewalIsDueOnceAThirdOfTheTermIsUsedAndPushesTheDeadline) {
  HeldMessages held(k_term);
  auto old = message("old", t0);
  held.add(old);
  held.add(message("new", t0 + 10s));
  EXPECT_TRUE(held.due(t0 + 13s, k_due_within).empty());
  EXPECT_EQ(receipts_of(held.due(t0 + 14s, k_due_within)), std::vector<std::string>{"old"});
  EXPECT_EQ(receipts_of(held.due(t0 + 24s, k_due_within)),
            (std::vector<std::string>{"old", "new"}));
  held.renewed({"old"}, t0 + 24s);
  EXPECT_EQ(old.lease.deadline(), t0 + 64s) << "the pipeline's copy sees the renewal";
  EXPECT_EQ(receipts_of(held.due(t0 + 24s, k_due_within)), std::vector<std::string>{"new"});
}

TEST(HeldMessages, TakenMessagesAreNeitherRenewedNorRevived) {
  HeldMessages held(k_term);
  held.add(message("a", t0));
  EXPECT_TRUE(held.take("a"));
  held.renewed({"a"}, t0 + 1s);
  EXPECT_TRUE(held.due(t0 + 39s, k_due_within).empty());
}

TEST(HeldMessages, TakeAllKeepsReceiveOrderAndLeavesOutEndedLeases) {
  HeldMessages held(k_term);
  for (std::string r : {"z", "a", "m"}) held.add(message(r, t0));
  held.add(message("ended", t0 - 60s));
  EXPECT_EQ(receipts_of(held.take_all(t0)), (std::vector<std::string>{"z", "a", "m"}));
  EXPECT_EQ(held.size(), 0u);
}

struct HeartbeatTest : ::testing::Test {
  HeldMessages held{k_term};
  std::vector<std::vector<std::string>> renew_calls;
  std::vector<int> renew_seconds;
  std::vector<VisibilityHeartbeat::RenewFailure> failures;
  bool call_fails = false;
  std::vector<std::string> warnings;
  std::vector<std::string> released;

  VisibilityHeartbeat heartbeat{
      held,
      [this](const std::vector<std::string>& receipts, int seconds)
          -> util::Expected<std::vector<VisibilityHeartbeat::RenewFailure>, std::string> {
        renew_calls.push_back(receipts);
        renew_seconds.push_back(seconds);
        if (call_fails) return util::Unexpected(std::string("connection refused"));
        return failures;
      },
      [this](const std::vector<HeldMessage>& messages) {
        for (const auto& m : messages) released.push_back(m.receipt);
      },
      [this](const std::string& warning) { warnings.push_back(warning); }};
};

TEST_F(HeartbeatTest, RenewsDueMessagesInBatchesOfTenForAWholeTerm) {
  const auto now = LeaseClock::now();
  for (int i = 0; i < 12; ++i) held.add(message("r" + std::to_string(i), now - 30s));
  heartbeat.beat(now);
  ASSERT_EQ(renew_calls.size(), 2u);
  EXPECT_EQ(renew_calls[0].size(), 10u);
  EXPECT_EQ(renew_calls[1], (std::vector<std::string>{"r10", "r11"}));
  EXPECT_EQ(renew_seconds[0], 40);
  EXPECT_TRUE(held.due(now + 13s, k_due_within).empty());  // renewed from the time of the call
}

TEST_F(HeartbeatTest, LeaseThatRanOutBeforeItsRenewalIsLostWarnedOfAndItsGroupGivenBack) {
  const auto now = LeaseClock::now();
  auto late = message("late", now - 41s, "g");
  held.add(late);
  held.add(message("late-follower", now - 30s, "g"));
  held.add(message("in-time", now - 30s, "h"));
  heartbeat.beat(now);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("lease lost: 1 held message(s) (id-late) became visible"),
            std::string::npos);
  EXPECT_TRUE(late.lease.lost());
  EXPECT_EQ(released, std::vector<std::string>{"late-follower"});
  EXPECT_EQ(renew_calls.at(0), std::vector<std::string>{"in-time"});
}

TEST_F(HeartbeatTest, NothingDueNothingSent) {
  held.add(message("a", LeaseClock::now()));
  heartbeat.beat(LeaseClock::now());
  EXPECT_TRUE(renew_calls.empty());
}

TEST_F(HeartbeatTest, RefusedRenewalLosesTheLeaseWarnsOnceAndReleasesOnlyItsFollowers) {
  const auto now = LeaseClock::now();
  auto first = message("first", now - 30s, "g");
  held.add(first);
  held.add(message("follower", now - 30s, "g"));
  held.add(message("other", now - 30s, "h"));
  failures = {{"first", "ReceiptHandleIsInvalid: expired"}};
  heartbeat.beat(now);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("id-first"), std::string::npos);
  EXPECT_NE(warnings[0].find("ReceiptHandleIsInvalid"), std::string::npos);
  EXPECT_TRUE(first.lease.lost());
  EXPECT_EQ(released, std::vector<std::string>{"follower"}) << "its own receipt is stale";
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
  EXPECT_TRUE(held.due(now + 13s, k_due_within).empty());
}

TEST(VisibilityHeartbeatThread, RenewsOnItsOwnAndStopsWhenDestroyed) {
  HeldMessages held(std::chrono::milliseconds(2'000));
  held.add(HeldMessage{"a", "id-a", "", Lease::until(LeaseClock::now() + 900ms, 2s)});
  std::atomic<int> calls{0};
  {
    VisibilityHeartbeat heartbeat(
        held,
        [&](const std::vector<std::string>&,
            int) -> util::Expected<std::vector<VisibilityHeartbeat::RenewFailure>, std::string> {
          ++calls;
          return std::vector<VisibilityHeartbeat::RenewFailure>{};
        },
        [](const std::vector<HeldMessage>&) {}, [](const std::string&) {});
    heartbeat.start();
    for (int i = 0; i < 100 && calls == 0; ++i) std::this_thread::sleep_for(20ms);
  }
  EXPECT_GE(calls.load(), 1);
  EXPECT_TRUE(held.due(LeaseClock::now(), 1s).empty());  // renewed for a whole term
}

}  // namespace
}  // namespace wc::source
