#pragma once
// Requests are the files of a local directory, taken in file-name order: the embedded default
// that needs no cloud and no server. Names starting with '.' (temporary files being written)
// and anything that is not a regular file are ignored.

#include <filesystem>
#include <string>

#include "source/key_window.h"
#include "source/request_source.h"

namespace wc::source {

class DirectoryRequestSource : public RequestSource {
 public:
  explicit DirectoryRequestSource(std::filesystem::path directory);

  std::string describe() const override;
  /// The directory must exist and be readable.
  util::Expected<void, SourceError> check() override;
  /// Scans the directory and returns the `max` smallest names after the last one handed out.
  util::Expected<std::vector<SourceRequest>, SourceError> poll(std::size_t max) override;
  util::Expected<std::optional<std::string>, SourceError> read(
      const SourceRequest& request) override;
  util::Expected<void, SourceError> remove(const SourceRequest& request) override;

 private:
  std::filesystem::path directory_;
  KeyWindow window_;
};

}  // namespace wc::source
