#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "aws/encoding.h"
#include "store/dead_letter_sink.h"

namespace wc::store {

namespace {

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
  // Keys and reasons may hold bytes that are not UTF-8: replace rather than throw.
  return record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string dead_letter_name(const std::string& key) {
  std::string name = aws::uri_encode(key, /*encode_slash=*/true);
  if (name.empty()) return "%00empty";
  if (name.front() == '.') name.replace(0, 1, "%2E");
  return name;
}

}  // namespace wc::store
