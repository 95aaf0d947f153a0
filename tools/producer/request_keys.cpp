#include "request_keys.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace wc::producer {

std::string format_key(std::int64_t ms) { return fmt::format("{:013d}", ms); }

std::optional<std::int64_t> parse_key(std::string_view key) {
  if (key.size() != 13) return std::nullopt;
  std::int64_t value = 0;
  for (char digit : key) {
    if (!std::isdigit(static_cast<unsigned char>(digit))) return std::nullopt;
    value = value * 10 + (digit - '0');
  }
  return value;
}

std::optional<std::string> KeySequence::next(std::int64_t now_ms) {
  if (!last_) offset_ms_ = start_ms_.value_or(now_ms) - now_ms;
  const std::int64_t key = last_ ? std::max(now_ms + offset_ms_, *last_ + 1) : now_ms + offset_ms_;
  if (key > k_max_key_ms || key < 0) return std::nullopt;
  last_ = key;
  return format_key(key);
}

}  // namespace wc::producer
