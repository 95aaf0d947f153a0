#pragma once
// Substring assertions without gmock (the unit test binary links gtest only).

#include <gtest/gtest.h>

#include <string_view>

namespace wc::test {

/// EXPECT_TRUE(contains(reason, "field 'owner'")) prints both strings when it fails.
inline ::testing::AssertionResult contains(std::string_view text, std::string_view part) {
  if (text.find(part) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << text << "\"\n  does not contain\n\"" << part << "\"";
}

}  // namespace wc::test
