#pragma once
// Requests are the files of a local directory, taken in file-name order: the embedded default
// that needs no cloud and no server. Names starting with '.' (temporary files being written)
// are ignored. Anything else that is not a regular file (a symbolic link, fifo, device,
// directory) is skipped with a warning, never read nor removed. Thread-safe.

#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>

#include "source/key_window.h"
#include "source/request_source.h"

namespace wc::source {

class DirectoryRequestSource : public RequestSource {
 public:
  using Warn = std::function<void(const std::string&)>;

  /// `warn` receives a line for each name that is skipped (once per name); the source does
  /// not log.
  explicit DirectoryRequestSource(std::filesystem::path directory, Warn warn = {});

  std::string describe() const override;
  /// The directory must exist and be readable.
  util::Expected<void, SourceError> check() override;
  /// Hands out names from the last scan; when they are used up, scans the directory again and
  /// keeps the k_scan_batch smallest names after the last one seen (memory stays bounded by
  /// that, not by the backlog).
  util::Expected<std::vector<SourceRequest>, SourceError> poll(std::size_t max) override;
  /// The file's bytes, opened without following a link and without waiting on a fifo.
  /// nullopt when it vanished, or is no longer a regular file (then with a warning): either
  /// way it is skipped, not removed.
  util::Expected<std::optional<std::string>, SourceError> read(
      const SourceRequest& request) override;
  util::Expected<void, SourceError> remove(const SourceRequest& request) override;

 private:
  static constexpr std::size_t k_scan_batch = 1000;
  /// Skipped names remembered so that each is warned of once; past this, warned each pass.
  static constexpr std::size_t k_max_remembered_skips = 10000;

  util::Expected<void, SourceError> scan();
  /// Warns that `name` is skipped, unless it was warned of already. Caller holds mutex_.
  void warn_skipped(const std::string& name, const std::string& what);

  std::filesystem::path directory_;
  std::mutex mutex_;
  KeyWindow window_;
  std::deque<std::string> scanned_;  ///< found by the last scan, not yet handed out
  Warn warn_;
  std::set<std::string> skipped_;  ///< names warned of
};

}  // namespace wc::source
