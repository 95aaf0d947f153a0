#pragma once
// Where the tests find /work/shared/conformance: data nobody on this project wrote, kept
// outside the repository, so a test that needs it must fail loudly when it is absent.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace wc::test {

/// $WC_CONFORMANCE_DIR, else ../shared/conformance next to the source tree.
inline std::filesystem::path conformance_dir() {
  if (const char* overridden = std::getenv("WC_CONFORMANCE_DIR"); overridden && *overridden) {
    return overridden;
  }
  return std::filesystem::path(WC_SOURCE_DIR) / ".." / "shared" / "conformance";
}

/// A message for ASSERT_TRUE(exists(...)) << missing_message(path).
inline std::string missing_message(const std::filesystem::path& path) {
  return "conformance data missing: " + path.string() +
         " does not exist (set WC_CONFORMANCE_DIR to the folder holding hw6-official/, "
         "producer-2021/ and fixtures/)";
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace wc::test
