#pragma once
// Requests as files DIR/<key>, mirroring the S3 request bucket on disk.

#include <filesystem>
#include <memory>
#include <string>

#include "request_sink.h"
#include "util/expected.h"

namespace wc::producer {

/// Writes each request to a temporary file whose name starts with '.' (consumers skip such
/// names), then moves it to DIR/<key> in one step, so the consumer sees whole requests only.
/// Safe against either process crashing; not fsync'ed, since a load generator favours
/// throughput over surviving a power cut.
class DirectorySink final : public RequestSink {
 public:
  /// Creates `directory` (and parents) if needed; the error names the directory and why.
  static util::Expected<std::unique_ptr<DirectorySink>, std::string> open(
      const std::filesystem::path& directory);

  util::Expected<PutOutcome, std::string> put(const std::string& key, const std::string& body,
                                              bool overwrite) override;
  std::string where() const override;

 private:
  explicit DirectorySink(std::filesystem::path directory) : directory_(std::move(directory)) {}

  std::filesystem::path directory_;
};

}  // namespace wc::producer
