#pragma once
// Dead letters as files in a local directory (the default, `dead-letters/`). Names come from
// dead_letter_name, so any key fits; no symbolic link inside the directory is followed.

#include <filesystem>

#include "store/contained_directory.h"
#include "store/dead_letter_sink.h"

namespace wc::store {

class DirectoryDeadLetters : public DeadLetterSink {
 public:
  explicit DirectoryDeadLetters(std::filesystem::path directory);

  std::string describe() const override;
  util::Expected<void, StoreError> check() override;
  util::Expected<void, StoreError> keep(const DeadLetter& letter) override;

 private:
  StoreError error(const char* what, const FileError& failure) const;

  ContainedDirectory directory_;
};

}  // namespace wc::store
