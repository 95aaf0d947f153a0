// Fuzzes wc::aws::parse_s3_error: any status, any body (S3 XML, a proxy's HTML page, garbage)
// must give an error document with a code, and never throw.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/s3_xml.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // The first two bytes choose the status (100..611) and the target; the rest is the body.
  long status = 100 + ((data[0] << 8 | data[1]) & 0x7fff) % 512;
  auto target = (data[0] & 0x80) ? wc::aws::S3Target::object : wc::aws::S3Target::bucket;
  std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  auto error = wc::aws::parse_s3_error(status, body, target);
  WC_FUZZ_CHECK(!error.code.empty());
  return 0;
}
