#pragma once
// Request keys as the original producer wrote them: 13-digit epoch milliseconds, so that byte
// order is time order. Pure: the caller supplies the clock.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wc::producer {

/// The largest time a 13-digit key can hold (in the year 2286).
inline constexpr std::int64_t k_max_key_ms = 9'999'999'999'999;

/// `ms` as exactly 13 digits, zero-padded. Precondition: 0 <= ms <= k_max_key_ms.
std::string format_key(std::int64_t ms);

/// Parses a key written by format_key (exactly 13 digits); nullopt for anything else.
std::optional<std::int64_t> parse_key(std::string_view key);

/// Hands out strictly increasing keys. The key clock runs at real speed from a chosen start:
/// the first key is the start, later keys follow the time elapsed since the first; when two
/// requests fall in the same millisecond (or the clock steps back) the key is the previous one
/// plus one, so keys stay unique and ordered.
class KeySequence {
 public:
  /// `start_ms`: the first key (nullopt: the wall clock at the first request).
  explicit KeySequence(std::optional<std::int64_t> start_ms) : start_ms_(start_ms) {}

  /// The key for a request written at wall-clock time `now_ms`. Past k_max_key_ms there are
  /// no 13-digit keys left: nullopt.
  std::optional<std::string> next(std::int64_t now_ms);

  /// The last key handed out, as a number (nullopt before the first).
  std::optional<std::int64_t> last() const { return last_; }

 private:
  std::optional<std::int64_t> start_ms_;
  std::int64_t offset_ms_ = 0;  ///< key time minus wall-clock time, fixed at the first key
  std::optional<std::int64_t> last_;
};

}  // namespace wc::producer
