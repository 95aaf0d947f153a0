// The aws folder's one copy of trim, case folding and boolean settings.

#include "aws/ascii.h"

#include <gtest/gtest.h>

namespace wc::aws {
namespace {

TEST(Trim, DropsSpacesTabsAndLineEndsAtBothEndsOnly) {
  EXPECT_EQ(trim(" \t key = a b \r\n"), "key = a b");
  EXPECT_EQ(trim(" \r\n\t "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("\xc2\xa0x\xc2\xa0"), "\xc2\xa0x\xc2\xa0");  // a UTF-8 no-break space stays
}

TEST(ToLower, LowersAsciiLettersAndLeavesUtf8Alone) {
  EXPECT_EQ(to_lower("X-Amz-Date"), "x-amz-date");
  EXPECT_EQ(to_lower("\xc3\x84@[`{"), "\xc3\x84@[`{");
}

TEST(Iequals, IgnoresTheCaseOfAsciiLettersOnly) {
  EXPECT_TRUE(iequals("Authorization", "authorization"));
  EXPECT_FALSE(iequals("Authorization", "authorizatio"));
  EXPECT_FALSE(iequals("@", "`"));  // 0x40 and 0x60 differ by the case bit but are no letters
  EXPECT_FALSE(iequals("\xc3\x84", "\xc3\xa4"));
}

TEST(IsTrue, IsTrueInAnyCaseAndNothingElse) {
  EXPECT_TRUE(is_true("true"));
  EXPECT_TRUE(is_true("TRUE"));
  EXPECT_TRUE(is_true("tRuE"));
  EXPECT_FALSE(is_true("1"));
  EXPECT_FALSE(is_true("yes"));
  EXPECT_FALSE(is_true(" true"));
  EXPECT_FALSE(is_true(""));
}

}  // namespace
}  // namespace wc::aws
