#pragma once
// A local directory that file operations cannot leave (SPEC §5: nothing escapes the store):
// every path below it is walked one component at a time without following a symbolic link,
// whatever links a user or an attacker placed inside it.

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/atomic_file.h"
#include "util/expected.h"

namespace wc::store {

class ContainedDirectory {
 public:
  /// `root` itself may be reached through links (the user chose it); nothing below it is.
  explicit ContainedDirectory(std::filesystem::path root);
  ~ContainedDirectory();
  ContainedDirectory(const ContainedDirectory&) = delete;
  ContainedDirectory& operator=(const ContainedDirectory&) = delete;

  const std::filesystem::path& root() const { return root_; }

  /// Creates the root (and its parents) if missing and opens it, once; later calls check that
  /// the path still names the directory opened (ENOENT when it was removed or replaced).
  util::Expected<void, FileError> open();

  /// Writes the file at `relative` ("widgets/owner/id": plain components, no '.' or '..')
  /// atomically (write_file_atomically), making missing directories on the way. A symbolic
  /// link, or a file, where a directory should be is an error (ELOOP, ENOTDIR) naming it.
  util::Expected<WriteResult, FileError> write(std::string_view relative, std::string_view bytes,
                                               WriteMode mode);
  /// The bytes of the regular file at `relative`; nullopt when it or a directory on the way
  /// does not exist. A link on the way or at the end is an error, never followed.
  util::Expected<std::optional<std::string>, FileError> read(std::string_view relative);
  /// Removes the file (or the link itself) at `relative`; false when there was none.
  util::Expected<bool, FileError> remove(std::string_view relative);
  /// remove_abandoned_temporaries below the root.
  std::size_t remove_abandoned_temporaries();

 private:
  struct Parent {
    UniqueFd fd;        ///< the directory holding the last component; -1 when it is missing
    std::string name;   ///< the last component
    std::string shown;  ///< that directory as errors name it
  };

  util::Expected<int, FileError> root_fd();
  /// The directory holding the last component of `relative`; with `create`, missing
  /// directories on the way are made, otherwise Parent::fd is -1 when one is missing.
  util::Expected<Parent, FileError> parent_of(std::string_view relative, bool create);
  util::Expected<UniqueFd, FileError> walk(int from, const std::vector<std::string>& parts,
                                           bool create);

  std::filesystem::path root_;
  std::mutex open_mutex_;
  std::atomic<int> root_fd_{-1};
};

}  // namespace wc::store
