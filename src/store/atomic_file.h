#pragma once
// Whole-file writes that a crash cannot leave half done, relative to an open directory and
// never through a symbolic link. ContainedDirectory finds the directory; this writes in it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace wc::store {

enum class WriteMode { replace, only_if_absent };

enum class WriteResult { written, already_exists };

/// A file operation that failed.
struct FileError {
  int error_number = 0;  ///< errno of the call that failed
  std::string message;   ///< "creating '/store/widgets/o/.w.tmp.7.1' failed: No space left..."
};

/// An owned file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

/// FileError for the errno of the call that just failed: "{what} '{shown}' failed: {cause}".
FileError file_error(const char* what, const std::string& shown);

/// Writes `bytes` to a new temporary file in the directory `directory_fd`, syncs it, then
/// renames it to `name` (or, for only_if_absent, links it, which fails if `name` exists) and
/// syncs the directory. `name` is one file name of at most 255 bytes; the temporary's name is
/// cut to fit too. A symbolic link at `name` is replaced (rename) or counts as existing (link),
/// never followed. `shown` is the directory as errors name it.
util::Expected<WriteResult, FileError> write_file_atomically(int directory_fd,
                                                             const std::string& name,
                                                             std::string_view bytes, WriteMode mode,
                                                             const std::string& shown);

/// Reads the file `name` in `directory_fd`; nullopt when there is none. A symbolic link or
/// anything but a regular file there is an error (ELOOP, or EINVAL for a fifo, device...),
/// not followed or read.
util::Expected<std::optional<std::string>, FileError> read_file_at(int directory_fd,
                                                                   const std::string& name,
                                                                   const std::string& shown);

/// Deletes the temporary files that writes by processes no longer running left below the
/// directory `directory_fd` (a kill -9 between creating one and renaming it), without following
/// links. Files of a live process are kept: it may be another consumer writing. Returns how
/// many were deleted; unreadable parts are skipped.
std::size_t remove_abandoned_temporaries(int directory_fd);

}  // namespace wc::store
