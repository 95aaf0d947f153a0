// The pipeline's small parts on their own, with explicit times and no threads: Dispatch (the
// window and the per-widget lanes), stop_policy (idle timeout and maximum runtime), Outage
// (how long a place has been unreachable) and Progress (the 5-second line).

#include <gtest/gtest.h>

#include "consumer/dispatch.h"
#include "consumer/outage.h"
#include "consumer/progress.h"
#include "consumer/stop_policy.h"
#include "model/request.h"

namespace wc::consumer {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
const Clock::time_point t0 = Clock::time_point{} + 1000h;

EntryPtr valid(const std::string& key, const std::string& widget) {
  auto entry = std::make_shared<Entry>();
  entry->request.key = key;
  model::WidgetRequest request;
  request.widget_id = widget;
  entry->valid = request;
  return entry;
}

EntryPtr rejected(const std::string& key) {
  auto entry = std::make_shared<Entry>();
  entry->request.key = key;
  entry->rejection = "not JSON";
  return entry;
}

TEST(Dispatch, RequestsOfOneWidgetQueueInOrderAndOnlyTheFirstOpensTheLane) {
  Dispatch dispatch(16, 2);
  EXPECT_TRUE(dispatch.add(valid("1", "w")));
  EXPECT_FALSE(dispatch.add(valid("2", "w"))) << "its lane already has a runner";
  EXPECT_TRUE(dispatch.add(valid("3", "v")));
  EXPECT_EQ(dispatch.in_hand(), 3u);
  EXPECT_EQ(dispatch.front("w")->request.key, "1");
  EXPECT_TRUE(dispatch.pop("w"));
  EXPECT_EQ(dispatch.front("w")->request.key, "2");
  EXPECT_FALSE(dispatch.pop("w")) << "the lane is closed once empty";
  EXPECT_EQ(dispatch.front("w"), nullptr);
  EXPECT_EQ(dispatch.in_hand(), 1u);
}

TEST(Dispatch, RejectedAndExhaustedRequestsGetLanesOfTheirOwn) {
  Dispatch dispatch(16, 2);
  auto exhausted = valid("2", "w");
  exhausted->request.exhausted = "received 11 times";
  EXPECT_TRUE(dispatch.add(valid("1", "w")));
  EXPECT_TRUE(dispatch.add(exhausted)) << "it must not wait behind, or block, widget w";
  EXPECT_TRUE(dispatch.add(rejected("3")));
  EXPECT_TRUE(dispatch.add(rejected("4")));
  EXPECT_NE(exhausted->lane(), "w");
}

TEST(Dispatch, WindowRoomAndTheRefillMark) {
  Dispatch dispatch(4, 2);
  EXPECT_TRUE(dispatch.wants_refill());
  for (const char* key : {"1", "2", "3", "4"}) dispatch.add(valid(key, key));
  EXPECT_EQ(dispatch.room(), 0u);
  EXPECT_FALSE(dispatch.wants_refill());
  dispatch.pop("1");
  EXPECT_FALSE(dispatch.just_refillable());
  dispatch.pop("2");
  EXPECT_TRUE(dispatch.just_refillable()) << "the lister is woken exactly once here";
  EXPECT_TRUE(dispatch.wants_refill());
  dispatch.pop("3");
  EXPECT_FALSE(dispatch.just_refillable());
}

TEST(Dispatch, ClosingALaneTakesItsRequestsOutOfTheWindow) {
  Dispatch dispatch(16, 2);
  dispatch.add(valid("1", "w"));
  dispatch.add(valid("2", "w"));
  dispatch.add(valid("3", "v"));
  auto closed = dispatch.close("w");
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0]->request.key, "1");
  EXPECT_EQ(closed[1]->request.key, "2");
  EXPECT_EQ(dispatch.in_hand(), 1u);
  EXPECT_EQ(dispatch.close_all().size(), 1u);
  EXPECT_EQ(dispatch.in_hand(), 0u);
}

StopState state(Clock::time_point now) {
  StopState s;
  s.now = now;
  s.started = t0;
  s.last_work = t0;
  return s;
}

TEST(StopPolicy, IdleTimeoutCountsFromTheLastWorkOnceAPollFoundNothing) {
  StopRules rules{2s, 0s};
  auto s = state(t0 + 3s);
  EXPECT_FALSE(stop_due(rules, s)) << "no poll since the last work found nothing";
  s.last_fruitless_poll = t0 + 1s;
  EXPECT_EQ(stop_due(rules, s), StopReason::idle_timeout);
  s.now = t0 + 1500ms;
  EXPECT_FALSE(stop_due(rules, s));
}

TEST(StopPolicy, NothingStopsForIdlenessWhileRequestsAreInHand) {
  StopRules rules{2s, 0s};
  auto s = state(t0 + 10s);
  s.last_fruitless_poll = t0 + 1s;
  s.in_hand = 1;
  EXPECT_FALSE(stop_due(rules, s));
}

TEST(StopPolicy, ZeroMeansNever) {
  StopRules rules{0s, 0s};
  auto s = state(t0 + 1000h);
  s.last_fruitless_poll = t0 + 1s;
  EXPECT_FALSE(stop_due(rules, s));
}

TEST(StopPolicy, MaximumRuntimeStopsEvenWithWorkInHand) {
  StopRules rules{0s, 5s};
  auto s = state(t0 + 5s);
  s.in_hand = 7;
  EXPECT_EQ(stop_due(rules, s), StopReason::max_runtime);
}

TEST(StopPolicy, LongPollEndsAtTheIdleTimeoutOrTheMaximumRuntime) {
  auto s = state(t0 + 1s);
  EXPECT_EQ(poll_deadline(StopRules{0s, 0s}, s), Clock::time_point::max());
  EXPECT_EQ(poll_deadline(StopRules{3s, 0s}, s), t0 + 3s);
  EXPECT_EQ(poll_deadline(StopRules{3s, 2s}, s), t0 + 2s);
  s.in_hand = 1;
  EXPECT_EQ(poll_deadline(StopRules{3s, 0s}, s), t0 + 4s)
      << "with work in hand, idleness starts no earlier than when it is done";
}

TEST(Outage, ExceededOnlyAfterTheTimeoutSinceTheFirstFailureAndResetByAnAnswer) {
  Outage outage(10s);
  EXPECT_FALSE(outage.failing_since());
  outage.failed("S3 bucket 'r': ConnectionError", t0);
  outage.failed("S3 bucket 'r': Timeout", t0 + 5s);
  EXPECT_EQ(outage.failing_since(), t0);
  EXPECT_FALSE(outage.exceeded(t0 + 9s));
  auto exceeded = outage.exceeded(t0 + 10s);
  ASSERT_TRUE(exceeded);
  EXPECT_NE(exceeded->find("unreachable for 10 s"), std::string::npos) << *exceeded;
  EXPECT_NE(exceeded->find("Timeout"), std::string::npos) << "names the last cause";
  outage.answered();
  EXPECT_FALSE(outage.exceeded(t0 + 100s));
}

TEST(Outage, ZeroTimeoutWaitsForever) {
  Outage outage(0s);
  outage.failed("down", t0);
  EXPECT_FALSE(outage.exceeded(t0 + 1000h));
}

TEST(Progress, DueEveryIntervalWithTheDocumentedLine) {
  RunStats stats;
  stats.count(FinalOutcome::created);
  stats.count(FinalOutcome::rejected);
  Progress progress(5s, [] { return std::uint64_t{3}; });
  EXPECT_FALSE(progress.due(t0 + 4s, t0, stats, 8));
  auto line = progress.due(t0 + 5s, t0, stats, 8);
  ASSERT_TRUE(line);
  EXPECT_EQ(*line,
            "progress: 2 done (0.4 requests/s), 1 rejected, 0 dead-lettered, 3 retries, 8 in "
            "flight");
  EXPECT_FALSE(progress.due(t0 + 9s, t0, stats, 8));
  EXPECT_TRUE(progress.due(t0 + 10s, t0, stats, 8));
  EXPECT_FALSE(Progress(0s, {}).due(t0 + 1000h, t0, stats, 0)) << "0: never";
}

}  // namespace
}  // namespace wc::consumer
