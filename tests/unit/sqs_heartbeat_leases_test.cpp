// The visibility heartbeat tells how many leases it renewed and lost, for the metrics.

#include <gtest/gtest.h>

#include "source/held_messages.h"
#include "source/visibility_heartbeat.h"

namespace wc::source {
namespace {

using namespace std::chrono_literals;

constexpr auto k_lease = std::chrono::milliseconds(40'000);

HeldMessage message(const std::string& receipt, LeaseClock::time_point received) {
  return HeldMessage{receipt, "id-" + receipt, "", Lease::until(received + k_lease, k_lease)};
}

TEST(HeartbeatLeases, RenewedRefusedAndExpiredLeasesAreCounted) {
  HeldMessages held(k_lease);
  std::size_t renewed = 0, lost = 0;
  VisibilityHeartbeat heartbeat(
      held,
      [](const std::vector<std::string>&,
         int) -> util::Expected<std::vector<VisibilityHeartbeat::RenewFailure>, std::string> {
        return std::vector<VisibilityHeartbeat::RenewFailure>{
            {"refused", "ReceiptHandleIsInvalid"}};
      },
      [](const std::vector<HeldMessage>&) {}, [](const std::string&) {},
      [&](std::size_t r, std::size_t l) {
        renewed += r;
        lost += l;
      });
  const auto now = LeaseClock::now();
  held.add(message("expired", now - 41s));
  held.add(message("refused", now - 30s));
  held.add(message("a", now - 30s));
  held.add(message("b", now - 30s));
  heartbeat.beat(now);
  EXPECT_EQ(renewed, 2u);  // a and b
  EXPECT_EQ(lost, 2u);     // expired before its renewal, and refused
}

}  // namespace
}  // namespace wc::source
