#pragma once
// What a log line looks like: text for people, or one JSON object a line for machines (a log
// shipper, CloudWatch, Fluent Bit). Where lines go is logging.h's business.

#include <spdlog/formatter.h>

#include <memory>
#include <string_view>

#include "app/config.h"

namespace wc::app {

/// INFO, WARNING, ERROR…: spdlog's own names are lower-case ("warning"), and logs read and
/// grep better in capitals.
std::string_view level_name(spdlog::level::level_enum level);

/// text: "2026-11-25 12:00:00.123 INFO    message" (local time), control characters in the
/// message escaped (log_text.h).
/// json: {"time":"2026-11-25T12:00:00.123Z","level":"INFO","message":"…"} (UTC), plus "key",
/// "type", "widget", "outcome" and "latency_ms" on the lines about one request
/// (consumer::current_request_fields). Bytes that are not UTF-8 become U+FFFD, so every line
/// is valid JSON.
std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format);

}  // namespace wc::app
