#pragma once
// Runs a command line through /bin/sh and collects what it prints (credential_process).

#include <chrono>
#include <cstddef>
#include <string>

#include "util/expected.h"

namespace wc::aws {

struct CommandOutput {
  int exit_status = 0;  ///< the exit code, or 128 + the signal that ended it
  std::string out;      ///< standard output
  std::string err;      ///< standard error
};

/// Runs `/bin/sh -c command` with the process's environment, standard input from /dev/null
/// and default signal handling, and waits for it. Each stream is kept up to `max_output`
/// bytes; more is an error, and so is running longer than `timeout` (the child is then
/// killed). The errors say which.
util::Expected<CommandOutput, std::string> run_command(const std::string& command,
                                                       std::chrono::milliseconds timeout,
                                                       std::size_t max_output);

}  // namespace wc::aws
