#pragma once
// Short, printable renderings of untrusted values for error messages.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace wc::model {

/// Values quoted in a message are cut to this many bytes: enough to recognise, short
/// enough for one log line.
inline constexpr std::size_t k_max_quoted_bytes = 40;

/// `text` cut to at most `max_bytes` at a UTF-8 character boundary, with "..." appended
/// when something was cut. The result is valid UTF-8 whenever `text` is.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

/// `text` as a JSON string literal ("J0hn", control characters escaped), cut to
/// k_max_quoted_bytes and then followed by `... (N bytes)`. `text` must be valid UTF-8.
std::string describe_string(std::string_view text);

/// A JSON value for "got ..." in a message: `null`, a quoted string as describe_string,
/// otherwise its type and compact text (`number 42`, `array [1,2]`), cut short.
std::string describe_value(const nlohmann::json& value);

}  // namespace wc::model
