#pragma once
// Dead letters as files in a local directory (the default, `dead-letters/`).

#include <filesystem>

#include "store/dead_letter_sink.h"

namespace wc::store {

class DirectoryDeadLetters : public DeadLetterSink {
 public:
  explicit DirectoryDeadLetters(std::filesystem::path directory);

  std::string describe() const override;
  util::Expected<void, StoreError> check() override;
  util::Expected<void, StoreError> keep(const DeadLetter& letter) override;

 private:
  std::filesystem::path directory_;
};

}  // namespace wc::store
