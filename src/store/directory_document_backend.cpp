#include "store/directory_document_backend.h"

#include <cerrno>

namespace wc::store {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_probe = ".write-check";

}  // namespace

DirectoryDocumentBackend::DirectoryDocumentBackend(fs::path directory)
    : directory_(std::move(directory)) {}

std::string DirectoryDocumentBackend::describe() const {
  return "directory '" + directory_.root().string() + "'";
}

StoreErrorKind DirectoryDocumentBackend::kind_of(int error_number) {
  switch (error_number) {
    case ENOSPC:
    case EDQUOT:
    case EROFS:
    case EACCES:
    case EPERM:
    case ELOOP:
    case ENOTDIR:
      return StoreErrorKind::fatal;
    case EINVAL:
    case EISDIR:
    case ENAMETOOLONG:
      return StoreErrorKind::request;
    default:
      return StoreErrorKind::transient;
  }
}

StoreError DirectoryDocumentBackend::error(const FileError& failure) const {
  const StoreErrorKind kind = kind_of(failure.error_number);
  const char* verdict = kind == StoreErrorKind::fatal ? " is unusable: " : ": ";
  return StoreError{kind, "widget store " + describe() + verdict + failure.message};
}

util::Expected<void, StoreError> DirectoryDocumentBackend::check() {
  if (auto opened = directory_.open(); !opened) {
    return util::Unexpected(
        StoreError{StoreErrorKind::fatal,
                   "widget store " + describe() + " cannot be used: " + opened.error().message});
  }
  // A few bytes, not an empty file: a full disk still lets an empty file be made.
  auto probe = directory_.write(k_probe, "probe\n", WriteMode::replace);
  if (!probe) {
    return util::Unexpected(
        StoreError{StoreErrorKind::fatal,
                   "widget store " + describe() + " is not writable: " + probe.error().message});
  }
  (void)directory_.remove(k_probe);
  directory_.remove_abandoned_temporaries();
  return {};
}

util::Expected<std::optional<std::string>, StoreError> DirectoryDocumentBackend::get(
    const std::string& key) {
  auto bytes = directory_.read(key);
  if (!bytes) return util::Unexpected(error(bytes.error()));
  return std::move(*bytes);
}

util::Expected<bool, StoreError> DirectoryDocumentBackend::put(const std::string& key,
                                                               const std::string& json,
                                                               bool only_if_absent) {
  auto written =
      directory_.write(key, json, only_if_absent ? WriteMode::only_if_absent : WriteMode::replace);
  if (!written) return util::Unexpected(error(written.error()));
  return *written == WriteResult::written;
}

util::Expected<bool, StoreError> DirectoryDocumentBackend::remove(const std::string& key) {
  auto removed = directory_.remove(key);
  if (!removed) return util::Unexpected(error(removed.error()));
  return *removed;
}

}  // namespace wc::store
