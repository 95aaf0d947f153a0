#pragma once
// The command line of SPEC §2, including the original program's `-ss/-rb/-wb/-dt` spelling.

#include <string>
#include <variant>
#include <vector>

#include "app/config.h"

namespace wc::app {

/// Parsing ended without a config: help or version was printed (exit 0), or the line was
/// wrong (exit 2, `message` is one line saying what is wrong and what to write instead).
struct ParseExit {
  int exit_code = 0;
  std::string message;  ///< for stdout when exit_code is 0, stderr otherwise
};

/// Parses argv. Touches nothing on disk or on the network; only reads the file system to
/// resolve the directories it names (overlapping places are a usage error).
std::variant<Config, ParseExit> parse_command_line(const std::vector<std::string>& args);

}  // namespace wc::app
