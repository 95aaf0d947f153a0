#include "store/directory_document_backend.h"

#include "store/atomic_file.h"

namespace wc::store {

namespace fs = std::filesystem;

DirectoryDocumentBackend::DirectoryDocumentBackend(fs::path directory)
    : directory_(std::move(directory)) {}

std::string DirectoryDocumentBackend::describe() const {
  return "directory '" + directory_.string() + "'";
}

util::Expected<void, StoreError> DirectoryDocumentBackend::check() {
  std::error_code ec;
  fs::create_directories(directory_, ec);
  if (ec || !fs::is_directory(directory_, ec)) {
    return util::Unexpected(StoreError{StoreErrorKind::fatal,
                                       "widget store " + describe() +
                                           " cannot be created: " + (ec ? ec.message() : "not a directory")});
  }
  auto probe = write_file_atomically(directory_ / ".write-check", "");
  if (!probe) {
    return util::Unexpected(StoreError{StoreErrorKind::fatal,
                                       "widget store " + describe() + " is not writable: " + probe.error()});
  }
  fs::remove(directory_ / ".write-check", ec);
  remove_abandoned_temporaries(directory_);
  return {};
}

util::Expected<fs::path, StoreError> DirectoryDocumentBackend::path_of(
    const std::string& key) const {
  fs::path relative(key);
  for (const auto& part : relative) {
    std::string text = part.string();
    if (text.empty() || text == "." || text == ".." || text == "/" || key.front() == '/') {
      return util::Unexpected(StoreError{
          StoreErrorKind::request, "widget key '" + key + "' would leave " + describe()});
    }
  }
  return directory_ / relative;
}

util::Expected<std::optional<std::string>, StoreError> DirectoryDocumentBackend::get(
    const std::string& key) {
  auto path = path_of(key);
  if (!path) return util::Unexpected(std::move(path).error());
  auto bytes = read_file(*path);
  if (!bytes) {
    return util::Unexpected(StoreError{StoreErrorKind::request, "widget store " + describe() +
                                                                     ": " + bytes.error()});
  }
  return std::move(*bytes);
}

util::Expected<bool, StoreError> DirectoryDocumentBackend::put(const std::string& key,
                                                               const std::string& json,
                                                               bool only_if_absent) {
  auto path = path_of(key);
  if (!path) return util::Unexpected(std::move(path).error());
  auto written = write_file_atomically(
      *path, json, only_if_absent ? WriteMode::only_if_absent : WriteMode::replace);
  if (!written) {
    return util::Unexpected(StoreError{StoreErrorKind::transient,
                                       "widget store " + describe() + ": " + written.error()});
  }
  return *written == WriteResult::written;
}

util::Expected<bool, StoreError> DirectoryDocumentBackend::remove(const std::string& key) {
  auto path = path_of(key);
  if (!path) return util::Unexpected(std::move(path).error());
  std::error_code ec;
  bool removed = fs::remove(*path, ec);
  if (ec) {
    return util::Unexpected(StoreError{StoreErrorKind::transient, "widget store " + describe() +
                                                                       ": removing '" +
                                                                       path->string() +
                                                                       "' failed: " + ec.message()});
  }
  return removed;
}

}  // namespace wc::store
