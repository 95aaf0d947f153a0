#pragma once
// Requests are the objects of an S3 bucket, taken in key order (SPEC §1, §3). Keys are listed a
// page (1000) at a time ahead of the work; bodies are read on demand. Thread-safe.

#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "aws/s3_client.h"
#include "source/key_window.h"
#include "source/request_source.h"

namespace wc::source {

class S3RequestSource : public RequestSource {
 public:
  S3RequestSource(std::shared_ptr<aws::S3Client> client, std::string bucket);

  std::string describe() const override;
  /// HeadBucket: a missing bucket or refused credentials are fatal.
  util::Expected<void, SourceError> check() override;
  /// Hands out keys from the last ListObjectsV2 page, listing the next page (after the last
  /// key seen) when it is used up. Folder markers (keys ending in '/' with no content) are
  /// not requests and are skipped.
  util::Expected<std::vector<SourceRequest>, SourceError> poll(std::size_t max) override;
  util::Expected<std::optional<std::string>, SourceError> read(
      const SourceRequest& request) override;
  util::Expected<void, SourceError> remove(const SourceRequest& request) override;
  /// DeleteObjects, 1000 keys a call.
  util::Expected<std::vector<std::pair<SourceRequest, SourceError>>, SourceError> remove_batch(
      const std::vector<SourceRequest>& requests) override;

 private:
  SourceError error(const aws::AwsError& error) const;
  util::Expected<void, SourceError> list_page();

  std::shared_ptr<aws::S3Client> client_;
  std::string bucket_;
  std::mutex mutex_;
  KeyWindow window_;
  std::deque<aws::S3Object> listed_;  ///< listed, not yet handed out, in key order
};

}  // namespace wc::source
