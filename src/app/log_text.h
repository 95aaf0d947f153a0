#pragma once
// What a log line may contain: keys, file names and messages come from outside (a producer
// chooses them), and a newline in one must not start a line of its own in the log.

#include <string>
#include <string_view>

namespace wc::app {

/// `text` with the control characters that could end a line or drive a terminal (C0 but tab,
/// and DEL) written as escapes: `\n`, `\r`, `\xHH` for the rest. Everything else (tabs,
/// backslashes, UTF-8 or not) passes unchanged, so a key reads in the log as it was written;
/// the price is that a key spelling a literal `\n` looks like an escaped newline.
std::string escape_for_log(std::string_view text);

}  // namespace wc::app
