#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>

#include "aws/encoding.h"
#include "model/bounded_json.h"
#include "store/dead_letter_sink.h"

namespace wc::store {

namespace {

constexpr std::size_t k_hash_hex_digits = 32;
constexpr std::string_view k_record_suffix = ".error.json";

/// The key percent-encoded into one path component that is neither empty nor hidden.
std::string encoded_name(const std::string& key) {
  std::string name = aws::uri_encode(key, /*encode_slash=*/true);
  if (name.empty()) return "%00empty";
  if (name.front() == '.') name.replace(0, 1, "%2E");
  return name;
}

std::string iso8601_utc(std::chrono::system_clock::time_point time) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", seconds, millis.count() % 1000);
}

}  // namespace

std::string dead_letter_record(const DeadLetter& letter) {
  nlohmann::ordered_json record;
  record["sourceKey"] = letter.source_key;
  record["source"] = letter.source;
  record["reason"] = letter.reason;
  record["time"] = iso8601_utc(letter.time);
  record["attempts"] = letter.attempts;
  record["bytes"] = letter.body.size();
  if (model::first_invalid_utf8(letter.source_key)) {
    record["sourceKeyBase64"] = aws::base64(letter.source_key);
  }
  // Keys and reasons may hold bytes that are not UTF-8: replace rather than throw.
  return record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string dead_letter_name(const std::string& key) {
  std::string name = encoded_name(key);
  if (name.size() > k_max_whole_dead_letter_name) return shortened_dead_letter_name(key);
  return name;
}

std::string shortened_dead_letter_name(const std::string& key) {
  std::string name = encoded_name(key);
  std::size_t keep = std::min(name.size(), k_shortened_name_prefix);
  // Cut before a '%' of the last two bytes, never inside a %XX triplet.
  for (std::size_t back = 1; back <= 2 && back <= keep; ++back) {
    if (name[keep - back] == '%') {
      keep -= back;
      break;
    }
  }
  name.resize(keep);
  return name + "+" + aws::sha256_hex(key).substr(0, k_hash_hex_digits);
}

std::string dead_letter_object_key(const std::string& key) {
  static const std::regex k_shortened(".*\\+[0-9a-f]{32}");
  const bool fits = !key.empty() && key.size() + k_record_suffix.size() <= k_max_s3_key;
  if (fits && !model::first_invalid_utf8(key) && !std::regex_match(key, k_shortened)) return key;
  return shortened_dead_letter_name(key);
}

}  // namespace wc::store
