#pragma once
// Requests are the files of a local directory, taken in file-name order: the embedded default
// that needs no cloud and no server. Names starting with '.' (temporary files being written)
// are ignored. Anything else that is not a regular file (a symbolic link, fifo, device,
// directory) is skipped with a warning, never read nor removed. A directory's requests are ours
// until removed: their leases never end. Thread-safe.

#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "source/key_window.h"
#include "source/request_source.h"

namespace wc::source {

class DirectoryRequestSource : public RequestSource {
 public:
  using Warn = std::function<void(const std::string&)>;

  /// `warn` receives a line for each name that is skipped (once per name) or vanished; the
  /// source does not log.
  explicit DirectoryRequestSource(std::filesystem::path directory, Warn warn = {});

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
  /// Skipped names remembered so that each is warned of once; past this, warned each pass.
  static constexpr std::size_t k_max_remembered_skips = 10000;

  util::Expected<void, SourceError> scan();
  /// The file's bytes, opened without following a link and without waiting on a fifo.
  /// nullopt when it vanished, or is no longer a regular file (either way with a warning, and
  /// finished in the window): it is skipped, not removed.
  util::Expected<std::optional<std::string>, SourceError> read(const std::string& name);
  util::Expected<void, SourceError> remove(const std::string& name);
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
