#pragma once
// Requests are the files of a local directory, taken in file-name order: the embedded default
// that needs no cloud and no server. Names starting with '.' (temporary files being written)
// and anything that is not a regular file are ignored. Thread-safe.

#include <deque>
#include <filesystem>
#include <mutex>
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
  /// Hands out names from the last scan; when they are used up, scans the directory again and
  /// keeps the k_scan_batch smallest names after the last one seen (memory stays bounded by
  /// that, not by the backlog).
  util::Expected<std::vector<SourceRequest>, SourceError> poll(std::size_t max) override;
  util::Expected<std::optional<std::string>, SourceError> read(
      const SourceRequest& request) override;
  util::Expected<void, SourceError> remove(const SourceRequest& request) override;

 private:
  static constexpr std::size_t k_scan_batch = 1000;

  util::Expected<void, SourceError> scan();

  std::filesystem::path directory_;
  std::mutex mutex_;
  KeyWindow window_;
  std::deque<std::string> scanned_;  ///< found by the last scan, not yet handed out
};

}  // namespace wc::source
