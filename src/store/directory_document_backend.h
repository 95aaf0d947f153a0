#pragma once
// Widget documents as files below a local directory, written atomically. A key is a relative
// path of plain components: nothing can escape the directory.

#include <filesystem>
#include <string>

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

 private:
  /// The file for `key`, or an error when the key has an empty, '.' or '..' component.
  util::Expected<std::filesystem::path, StoreError> path_of(const std::string& key) const;

  std::filesystem::path directory_;
};

}  // namespace wc::store
