#pragma once
// Logging set-up (SPEC §8): every line to the console and to {log-dir}/YYYY-MM-DD.log.

#include <string>

#include "util/expected.h"

namespace wc::app {

/// Makes the default spdlog logger write to stdout and to a daily file in `log_dir`
/// (created if missing). Lines: "2026-11-25 12:00:00.123 INFO    message".
util::Expected<void, std::string> set_up_logging(const std::string& log_dir);

}  // namespace wc::app
