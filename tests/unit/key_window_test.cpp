#include "source/key_window.h"

#include <gtest/gtest.h>

namespace wc::source {
namespace {

TEST(KeyWindow, AKeyInFlightIsNotHandedOutAgain) {
  KeyWindow window;
  window.begin_listing();
  window.pass("001");
  window.hand_out("001");
  EXPECT_FALSE(window.admits("001"));
  EXPECT_TRUE(window.admits("002"));
}

TEST(KeyWindow, AKeyRemovedWhileAListingRanIsNotTakenFromThatListing) {
  KeyWindow window;
  window.hand_out("001");
  window.begin_listing();  // the listing may still show 001: its removal is not done yet
  window.finish("001");
  EXPECT_FALSE(window.admits("001"));
  window.begin_listing();  // a listing that starts after the removal cannot show it
  EXPECT_TRUE(window.admits("001"));
}

TEST(KeyWindow, ListingContinuesAfterTheLastKeyAndRestartsAfterAnEmptyPass) {
  KeyWindow window;
  EXPECT_EQ(window.list_after(), "");
  window.pass("002");
  window.pass("001");
  EXPECT_EQ(window.list_after(), "002");
  window.restart_pass();
  EXPECT_EQ(window.list_after(), "");
}

}  // namespace
}  // namespace wc::source
