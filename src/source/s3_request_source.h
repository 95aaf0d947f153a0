#pragma once
// Requests are the objects of an S3 bucket, taken in key order (SPEC §1, §3).

#include <memory>
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
  /// One ListObjectsV2 page after the last key handed out. Folder markers (keys ending in '/'
  /// with no content) are not requests and are skipped.
  util::Expected<std::vector<SourceRequest>, SourceError> poll(std::size_t max) override;
  util::Expected<std::optional<std::string>, SourceError> read(
      const SourceRequest& request) override;
  util::Expected<void, SourceError> remove(const SourceRequest& request) override;

 private:
  SourceError error(const aws::AwsError& error) const;

  std::shared_ptr<aws::S3Client> client_;
  std::string bucket_;
  KeyWindow window_;
};

}  // namespace wc::source
