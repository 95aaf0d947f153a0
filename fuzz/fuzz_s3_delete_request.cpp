// Fuzzes wc::aws::build_delete_request: for any list of keys S3 could hold (UTF-8, only
// characters XML 1.0 can carry), the DeleteObjects body must parse back, in a conforming XML
// parser, to exactly those keys. A key that comes back different would make S3 delete another
// object, or none, while the caller believes the request is gone.
// Input: keys separated by NUL bytes (a NUL cannot be part of a key).

#include <cstddef>
#include <cstdint>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aws/s3_xml.h"
#include "fuzz_check.h"
#include "model/bounded_json.h"

namespace {

bool xml_can_carry(std::string_view key) {
  if (key.empty() || wc::model::first_invalid_utf8(key)) return false;
  for (unsigned char c : key) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

std::vector<std::string> split_keys(std::string_view input) {
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\0', start);
    if (end == std::string_view::npos) end = input.size();
    keys.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto keys = split_keys(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const auto& key : keys) {
    if (!xml_can_carry(key)) return 0;
  }
  std::string body = wc::aws::build_delete_request(keys);
  pugi::xml_document document;
  // pugixml's defaults normalise line ends as XML 1.0 §2.11 requires of every parser.
  WC_FUZZ_CHECK(
      document.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata));
  std::vector<std::string> parsed;
  for (pugi::xml_node object : document.child("Delete").children("Object")) {
    parsed.emplace_back(object.child_value("Key"));
  }
  WC_FUZZ_CHECK(parsed == keys);
  return 0;
}
