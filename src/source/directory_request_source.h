#pragma once
// Requests are the files of a local directory, taken in file-name order: the embedded default
// that needs no cloud and no server. Names starting with '.' (temporary files being written)
// and anything that is not a regular file are ignored. A directory's requests are ours until
// removed: their leases never end. Thread-safe.

#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <mutex>
#include <string>

#include "source/key_window.h"
#include "source/request_source.h"

namespace wc::source {

class DirectoryRequestSource : public RequestSource {
 public:
  /// `warn`: where warnings go (a file that vanished before it was read).
  explicit DirectoryRequestSource(std::filesystem::path directory,
                                  std::function<void(const std::string&)> warn = {});

  std::string describe() const override;
  /// The directory must exist and be readable.
  util::Expected<void, SourceError> open() override;
  /// Hands out names from the last scan, with their bytes; when they are used up, scans the
  /// directory again and keeps the k_scan_batch smallest names after the last one seen (memory
  /// stays bounded by that, not by the backlog). A file that cannot be read stops the batch
  /// there and is kept for the next poll (see S3RequestSource::poll). Never waits.
  util::Expected<std::vector<LeasedRequest>, SourceError> poll(
      std::size_t max, LeaseClock::time_point until) override;
  /// Removes each file (one call each: a directory has no batch removal).
  util::Expected<std::vector<NotRemoved>, SourceError> acknowledge(
      const std::vector<LeasedRequest>& requests) override;
  void give_back(const std::vector<LeasedRequest>& requests) override;

 private:
  static constexpr std::size_t k_scan_batch = 1000;

  util::Expected<void, SourceError> scan();
  /// The file's bytes; nullopt when it is gone.
  util::Expected<std::optional<std::string>, SourceError> read(const std::string& name);
  util::Expected<void, SourceError> remove(const std::string& name);

  std::filesystem::path directory_;
  std::function<void(const std::string&)> warn_;
  std::mutex mutex_;
  KeyWindow window_;
  std::deque<std::string> scanned_;  ///< found by the last scan, not yet handed out
};

}  // namespace wc::source
