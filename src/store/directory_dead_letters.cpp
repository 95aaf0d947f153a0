#include "store/directory_dead_letters.h"

namespace wc::store {

namespace fs = std::filesystem;

DirectoryDeadLetters::DirectoryDeadLetters(fs::path directory) : directory_(std::move(directory)) {}

std::string DirectoryDeadLetters::describe() const {
  return "dead-letter directory '" + directory_.root().string() + "'";
}

util::Expected<void, std::string> DirectoryDeadLetters::check() {
  if (auto opened = directory_.open(); !opened) {
    return util::Unexpected(describe() + " cannot be used: " + opened.error().message);
  }
  directory_.remove_abandoned_temporaries();
  return {};
}

util::Expected<void, std::string> DirectoryDeadLetters::keep(const DeadLetter& letter) {
  const std::string name = dead_letter_name(letter.source_key);
  // The record goes last: its presence means the bytes are there too.
  auto bytes = directory_.write(name, letter.body, WriteMode::replace);
  if (!bytes) return util::Unexpected(describe() + ": " + bytes.error().message);
  auto record =
      directory_.write(name + ".error.json", dead_letter_record(letter), WriteMode::replace);
  if (!record) return util::Unexpected(describe() + ": " + record.error().message);
  return {};
}

}  // namespace wc::store
