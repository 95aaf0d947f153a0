#pragma once
// Logging set-up (SPEC §8): every line to the console (stdout) and, unless turned off, to
// {log-dir}/YYYY-MM-DD.log, in the format chosen (log_format.h).

#include <string>

#include "app/config.h"
#include "util/expected.h"

namespace wc::app {

/// Makes the default spdlog logger write to stdout and, when `log_file`, to a daily file in
/// `log_dir` (created if missing). The error names the directory and the cause.
util::Expected<void, std::string> set_up_logging(const std::string& log_dir, bool log_file,
                                                 LogFormat format);

}  // namespace wc::app
