#pragma once
// Widget documents as files below a local directory, written atomically. A key is a relative
// path of plain components, and no symbolic link below the directory is followed: nothing can
// escape it (ContainedDirectory).

#include <filesystem>
#include <string>

#include "store/contained_directory.h"
#include "store/document_backend.h"

namespace wc::store {

class DirectoryDocumentBackend : public DocumentBackend {
 public:
  explicit DirectoryDocumentBackend(std::filesystem::path directory);

  std::string describe() const override;
  /// Creates the directory if it is missing; fails if it cannot be created or written.
  /// Deletes temporary files left by writers killed mid-write.
  util::Expected<void, StoreError> check() override;
  util::Expected<std::optional<std::string>, StoreError> get(const std::string& key) override;
  util::Expected<bool, StoreError> put(const std::string& key, const std::string& json,
                                       bool only_if_absent) override;
  util::Expected<bool, StoreError> remove(const std::string& key) override;

  /// What a failed file operation means for the store. A full disk or quota (ENOSPC, EDQUOT),
  /// a read-only file system (EROFS), refused permission (EACCES, EPERM), and a link or file
  /// where the store's directories should be (ELOOP, ENOTDIR) refuse every write alike: fatal,
  /// so the run stops and the request stays in the source. A key that would leave the store
  /// (EINVAL) or a directory where a widget should be (EISDIR) concern that request only. The
  /// rest (EIO, ...) is transient.
  static StoreErrorKind kind_of(int error_number);

 private:
  StoreError error(const FileError& failure) const;

  ContainedDirectory directory_;
};

}  // namespace wc::store
