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

/// Reads a whole file; nullopt when it does not exist.
util::Expected<std::optional<std::string>, std::string> read_file(
    const std::filesystem::path& path);

}  // namespace wc::store
