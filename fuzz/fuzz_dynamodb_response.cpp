// Fuzzes what src/aws reads from a DynamoDB answer: error bodies (with any status and
// X-Amzn-ErrorType header), DescribeTable and BatchWriteItem documents, parsed as the client
// does (nlohmann without exceptions). Nothing may throw or crash; an error always has a code.
// Input: byte 0 picks the status and header, the rest is the body.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "aws/dynamodb_json.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  wc::aws::HttpResponse response;
  response.status = 400 + (data[0] & 0x7f) % 200;
  if (data[0] & 0x80) response.headers.emplace_back("X-Amzn-ErrorType", "ThrottlingException:");
  response.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);

  auto error = wc::aws::parse_dynamodb_error(response);
  WC_FUZZ_CHECK(!error.code.empty());

  auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return 0;
  (void)wc::aws::parse_table_description(body);
  auto unprocessed = wc::aws::parse_unprocessed_items(body, "widgets");
  if (unprocessed) {
    for (const auto& write : *unprocessed) (void)wc::aws::to_wire(write).dump();
  }
  return 0;
}
