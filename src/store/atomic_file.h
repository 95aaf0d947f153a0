#pragma once
// Whole-file writes that a crash cannot leave half done.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace wc::store {

enum class WriteMode { replace, only_if_absent };

enum class WriteResult { written, already_exists };

/// Writes `bytes` to a temporary file beside `path`, syncs it, then renames it into place
/// (or, for only_if_absent, links it, which fails if `path` exists) and syncs the directory.
/// Creates missing parent directories. The error names the path and the cause.
util::Expected<WriteResult, std::string> write_file_atomically(const std::filesystem::path& path,
                                                               std::string_view bytes,
                                                               WriteMode mode = WriteMode::replace);

/// Deletes the temporary files that writes by processes no longer running left below `root`
/// (a kill -9 between creating one and renaming it). Files of a live process are kept: it may
/// be another consumer writing. Returns how many were deleted; unreadable parts are skipped.
std::size_t remove_abandoned_temporaries(const std::filesystem::path& root);

/// Reads a whole file; nullopt when it does not exist.
util::Expected<std::optional<std::string>, std::string> read_file(
    const std::filesystem::path& path);

}  // namespace wc::store
