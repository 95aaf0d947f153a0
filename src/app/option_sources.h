#pragma once
// Settings from the environment and from a file as well as from flags (SPEC §2, "Operations
// and deployment"): every option can also come from the variable WIDGET_CONSUMER_<NAME> and
// from --config FILE (TOML or INI, read by CLI11); a flag wins over the variable, the variable
// over the file.

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace wc::app {

inline constexpr std::string_view k_environment_prefix = "WIDGET_CONSUMER_";

/// The prefix and the option's last long name in upper case with '-' as '_':
/// --request-bucket gives WIDGET_CONSUMER_REQUEST_BUCKET.
std::string environment_name(const CLI::Option& option);

/// Gives every option of `app` but --help and --version its environment variable (listed in
/// --help) and adds --config FILE. CLI11 reads the file before it looks at the environment, so
/// a file would beat a variable: the file reader installed here leaves out the file's settings
/// that a (non-empty) variable also makes. Call after every option is defined.
void add_environment_and_config(CLI::App& app);

/// `args` (in the order typed) with --config=$WIDGET_CONSUMER_CONFIG appended when that variable
/// is set and the line has no --config of its own: CLI11 reads the file before any variable,
/// so this one variable must arrive as a flag.
std::vector<std::string> with_config_from_environment(std::vector<std::string> args);

/// Where a bad value came from, for the usage error about `option_name` ("--metrics-port"):
/// " (from WIDGET_CONSUMER_METRICS_PORT)", " (from the --config file)", or "" when it was typed
/// on the command line or cannot be told.
std::string value_origin(const CLI::App& app, const std::vector<std::string>& args,
                         std::string_view option_name);

}  // namespace wc::app
