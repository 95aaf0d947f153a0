#include <gtest/gtest.h>

#include "producer/request_keys.h"

namespace wc::producer {
namespace {

constexpr std::int64_t k_now = 1'615'728'964'574;

TEST(ProducerKeys, FormatPadsToThirteenDigits) {
  EXPECT_EQ(format_key(k_now), "1615728964574");
  EXPECT_EQ(format_key(42), "0000000000042");
}

TEST(ProducerKeys, ParseAcceptsOnlyThirteenDigits) {
  EXPECT_EQ(parse_key("1615728964574"), k_now);
  EXPECT_EQ(parse_key("0000000000042"), 42);
  EXPECT_FALSE(parse_key("161572896457"));
  EXPECT_FALSE(parse_key("16157289645740"));
  EXPECT_FALSE(parse_key("1615728964574.json"));
  EXPECT_FALSE(parse_key("16157289645x4"));
}

TEST(ProducerKeys, FirstKeyIsTheStart) {
  KeySequence keys(k_now);
  EXPECT_EQ(keys.next(k_now), "1615728964574");
}

TEST(ProducerKeys, RequestsInTheSameMillisecondGetConsecutiveKeys) {
  KeySequence keys(k_now);
  EXPECT_EQ(keys.next(k_now), format_key(k_now));
  EXPECT_EQ(keys.next(k_now), format_key(k_now + 1));
  EXPECT_EQ(keys.next(k_now), format_key(k_now + 2));
}

TEST(ProducerKeys, KeysFollowTheClockOnceItMovesAhead) {
  KeySequence keys(k_now);
  (void)keys.next(k_now);
  (void)keys.next(k_now);
  EXPECT_EQ(keys.next(k_now + 500), format_key(k_now + 500));
}

TEST(ProducerKeys, ClockSteppingBackStillGivesIncreasingKeys) {
  KeySequence keys(k_now);
  (void)keys.next(k_now);
  EXPECT_EQ(keys.next(k_now + 100), format_key(k_now + 100));
  EXPECT_EQ(keys.next(k_now - 5000), format_key(k_now + 101));
}

TEST(ProducerKeys, ChosenStartShiftsTheClock) {
  const std::int64_t start = 1'000'000'000'000;
  KeySequence keys(start);
  EXPECT_EQ(keys.next(k_now + 3), format_key(start));  // whenever the first request comes
  EXPECT_EQ(keys.next(k_now + 253), format_key(start + 250));
}

TEST(ProducerKeys, WithoutAStartTheFirstKeyIsNow) {
  KeySequence keys(std::nullopt);
  EXPECT_EQ(keys.next(k_now), format_key(k_now));
  EXPECT_EQ(keys.next(k_now + 40), format_key(k_now + 40));
}

TEST(ProducerKeys, NoKeyPastThirteenDigits) {
  KeySequence keys(k_max_key_ms);
  EXPECT_EQ(keys.next(k_now), "9999999999999");
  EXPECT_FALSE(keys.next(k_now));
}

TEST(ProducerKeys, ManyKeysAreStrictlyIncreasingAsBytes) {
  KeySequence keys(k_now);
  std::string previous;
  for (int i = 0; i < 1000; ++i) {
    const auto key = keys.next(k_now + i / 7);  // several requests per millisecond
    ASSERT_TRUE(key);
    ASSERT_EQ(key->size(), 13U);
    ASSERT_LT(previous, *key);
    previous = *key;
  }
}

}  // namespace
}  // namespace wc::producer
