#include "store/directory_dead_letters.h"

#include "store/atomic_file.h"

namespace wc::store {

namespace fs = std::filesystem;

DirectoryDeadLetters::DirectoryDeadLetters(fs::path directory) : directory_(std::move(directory)) {}

std::string DirectoryDeadLetters::describe() const {
  return "dead-letter directory '" + directory_.string() + "'";
}

util::Expected<void, StoreError> DirectoryDeadLetters::check() {
  std::error_code ec;
  fs::create_directories(directory_, ec);
  if (ec || !fs::is_directory(directory_, ec)) {
    return util::Unexpected(
        StoreError{StoreErrorKind::fatal, describe() + " cannot be created: " +
                                              (ec ? ec.message() : std::string("not a directory"))});
  }
  remove_abandoned_temporaries(directory_);
  return {};
}

util::Expected<void, StoreError> DirectoryDeadLetters::keep(const DeadLetter& letter) {
  std::string name = dead_letter_name(letter.source_key);
  // The record goes last: its presence means the bytes are there too.
  auto bytes = write_file_atomically(directory_ / name, letter.body);
  if (!bytes) return util::Unexpected(StoreError{StoreErrorKind::transient, describe() + ": " + bytes.error()});
  auto record = write_file_atomically(directory_ / (name + ".error.json"),
                                      dead_letter_record(letter));
  if (!record) {
    return util::Unexpected(StoreError{StoreErrorKind::transient, describe() + ": " + record.error()});
  }
  return {};
}

}  // namespace wc::store
