#include "aws/iso8601.h"

#include <gtest/gtest.h>

#include "credentials_test_support.h"

namespace wc::aws {
namespace {

using testing_support::test_epoch;

TEST(Iso8601, ZuluTimeIsRead) { EXPECT_EQ(parse_iso8601("2024-05-01T12:00:00Z"), test_epoch()); }

TEST(Iso8601, FractionsOffsetsAndTheCliV1UtcSuffixAreRead) {
  EXPECT_EQ(parse_iso8601("2024-05-01T12:00:00.250Z"),
            test_epoch() + std::chrono::milliseconds(250));
  EXPECT_EQ(parse_iso8601("2024-05-01T14:00:00+02:00"), test_epoch());
  EXPECT_EQ(parse_iso8601("2024-05-01T07:30:00-04:30"), test_epoch());
  EXPECT_EQ(parse_iso8601("2024-05-01T12:00:00UTC"), test_epoch());
  EXPECT_EQ(parse_iso8601("2024-05-01 12:00:00Z"), test_epoch());
}

TEST(Iso8601, TimesWithoutAZoneOrMalformedAreRefused) {
  for (const char* text : {"2024-05-01T12:00:00", "2024-05-01", "", "2024-13-01T00:00:00Z",
                           "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00+0200", "tomorrow"}) {
    EXPECT_EQ(parse_iso8601(text), std::nullopt) << text;
  }
}

TEST(Iso8601, FormatIsUtcWholeSeconds) {
  EXPECT_EQ(format_iso8601(test_epoch() + std::chrono::milliseconds(999)), "2024-05-01T12:00:00Z");
}

}  // namespace
}  // namespace wc::aws
