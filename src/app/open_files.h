#pragma once
// Open files: at --concurrency 512 the consumer held 2,059 at once (measured), about 4 per lane
// (its connection, curl's wake-up pair, the S3 source's read), while many services start with a
// soft limit of 1,024. As the Go runtime does, the program raises its soft limit to the hard
// one at start, and warns when even that may be short.

#include <cstddef>
#include <cstdint>

namespace wc::app {

struct OpenFileLimit {
  std::uint64_t before = 0;  ///< the soft limit at start
  std::uint64_t now = 0;     ///< the soft limit after raising it (the same when it could not be)
};

/// Raises RLIMIT_NOFILE's soft limit to its hard limit (to 1,048,576 when the hard limit is
/// unlimited, the kernel's usual ceiling).
OpenFileLimit raise_open_file_limit();

/// The files a run at `concurrency` may hold open at once: 4 per lane, and 64 for the rest
/// (log files, the metrics listener, credential fetches).
std::uint64_t open_files_needed(std::size_t concurrency);

}  // namespace wc::app
