#include "store/directory_dead_letters.h"

#include "store/directory_document_backend.h"

namespace wc::store {

namespace fs = std::filesystem;

DirectoryDeadLetters::DirectoryDeadLetters(fs::path directory) : directory_(std::move(directory)) {}

StoreError DirectoryDeadLetters::error(const char* what, const FileError& failure) const {
  // A full, read-only or forbidden directory is as unusable for dead letters as for widgets.
  return StoreError{DirectoryDocumentBackend::kind_of(failure.error_number),
                    describe() + what + failure.message};
}

std::string DirectoryDeadLetters::describe() const {
  return "dead-letter directory '" + directory_.root().string() + "'";
}

util::Expected<void, StoreError> DirectoryDeadLetters::check() {
  if (auto opened = directory_.open(); !opened) {
    return util::Unexpected(error(" cannot be used: ", opened.error()));
  }
  directory_.remove_abandoned_temporaries();
  return {};
}

util::Expected<void, StoreError> DirectoryDeadLetters::keep(const DeadLetter& letter) {
  const std::string name = dead_letter_name(letter.source_key);
  // The record goes last: its presence means the bytes are there too.
  auto bytes = directory_.write(name, letter.body, WriteMode::replace);
  if (!bytes) return util::Unexpected(error(": ", bytes.error()));
  auto record =
      directory_.write(name + ".error.json", dead_letter_record(letter), WriteMode::replace);
  if (!record) return util::Unexpected(error(": ", record.error()));
  return {};
}

}  // namespace wc::store
