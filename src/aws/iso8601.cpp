#include "aws/iso8601.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace wc::aws {

namespace {

/// Reads exactly `digits` decimal digits at `pos`, advancing it.
std::optional<int> number(std::string_view text, std::size_t& pos, std::size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  auto [end, error] = std::from_chars(text.data() + pos, text.data() + pos + digits, value);
  if (error != std::errc() || end != text.data() + pos + digits) return std::nullopt;
  pos += digits;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, std::string_view what) {
  if (text.substr(pos, what.size()) != what) return false;
  pos += what.size();
  return true;
}

/// Seconds east of UTC from what follows the time, or nullopt.
std::optional<long> zone_offset(std::string_view zone) {
  if (zone == "Z" || zone == "z" || zone == "UTC") return 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
  std::size_t pos = 1;
  auto hours = number(zone, pos, 2);
  ++pos;
  auto minutes = number(zone, pos, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  long offset = *hours * 3600L + *minutes * 60L;
  return zone[0] == '-' ? -offset : offset;
}

}  // namespace

std::optional<SystemTime> parse_iso8601(std::string_view text) {
  std::size_t pos = 0;
  std::tm fields{};
  auto year = number(text, pos, 4);
  if (!year || !expect(text, pos, "-")) return std::nullopt;
  auto month = number(text, pos, 2);
  if (!month || !expect(text, pos, "-")) return std::nullopt;
  auto day = number(text, pos, 2);
  if (!day || pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return std::nullopt;
  }
  ++pos;
  auto hour = number(text, pos, 2);
  if (!hour || !expect(text, pos, ":")) return std::nullopt;
  auto minute = number(text, pos, 2);
  if (!minute || !expect(text, pos, ":")) return std::nullopt;
  auto second = number(text, pos, 2);
  if (!second) return std::nullopt;
  std::chrono::nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    long long scale = 100'000'000;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += std::chrono::nanoseconds((text[pos] - '0') * scale);
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  auto offset = zone_offset(text.substr(pos));
  if (!offset || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
      *second > 60) {
    return std::nullopt;
  }
  fields.tm_year = *year - 1900;
  fields.tm_mon = *month - 1;
  fields.tm_mday = *day;
  fields.tm_hour = *hour;
  fields.tm_min = *minute;
  fields.tm_sec = *second;
  const std::time_t utc = timegm(&fields) - *offset;
  return std::chrono::time_point_cast<SystemTime::duration>(
      std::chrono::system_clock::from_time_t(utc) + fraction);
}

std::string format_iso8601(SystemTime time) {
  const std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(time));
  std::tm fields{};
  gmtime_r(&seconds, &fields);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", fields.tm_year + 1900,
                     fields.tm_mon + 1, fields.tm_mday, fields.tm_hour, fields.tm_min,
                     fields.tm_sec);
}

}  // namespace wc::aws
