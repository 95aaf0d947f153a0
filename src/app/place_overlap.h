#pragma once
// SPEC §2 "Places never overlap": the request source, the widget store, the dead-letter place
// and the log directory are compared before anything is touched.

#include <filesystem>
#include <optional>
#include <string>

#include "app/config.h"

namespace wc::app {

/// `path` made absolute and resolved as the kernel would resolve it once the missing parts are
/// created: the longest part that exists has its links resolved (a link whose target does not
/// exist yet too), the rest ('.' dropped, '..' going up) is appended as written. Reads the file
/// system, changes nothing.
std::filesystem::path resolve_directory(const std::filesystem::path& path);

/// One line naming both flags when two places of `config` overlap: the same bucket, the same
/// queue (a name and a URL naming it count as the same), or directories that are the same or
/// one inside the other after resolving links (the log directory included). nullopt when none
/// does.
std::optional<std::string> find_overlap(const Config& config);

}  // namespace wc::app
