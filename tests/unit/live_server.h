#pragma once
// The live tests talk to servers that scripts/test.sh starts and names in environment
// variables. Run by hand without them, a live test is skipped; under scripts/test.sh
// (WC_REQUIRE_SERVERS=1) a missing server is a failure, so a broken set-up cannot pass as green.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace wc::testing_support {

inline bool servers_required() {
  const char* value = std::getenv("WC_REQUIRE_SERVERS");
  return value != nullptr && std::string(value) == "1";
}

inline std::string live_env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace wc::testing_support

/// In SetUp(): the endpoint in `variable`, or skip (fail under scripts/test.sh) when unset.
#define WC_REQUIRE_LIVE_ENDPOINT(endpoint, variable)                                      \
  do {                                                                                    \
    (endpoint) = ::wc::testing_support::live_env(variable);                               \
    if ((endpoint).empty()) {                                                             \
      if (::wc::testing_support::servers_required()) {                                    \
        FAIL() << (variable) << " is not set, but WC_REQUIRE_SERVERS=1: the server this " \
               << "test needs was not started";                                           \
      }                                                                                   \
      GTEST_SKIP() << (variable) << " is not set: no server to test against "             \
                   << "(scripts/test.sh starts one)";                                     \
    }                                                                                     \
  } while (false)
