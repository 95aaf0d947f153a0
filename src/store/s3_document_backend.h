#pragma once
// Widget documents as objects of an S3 bucket (Content-Type: application/json).

#include <memory>
#include <string>

#include "aws/s3_client.h"
#include "store/document_backend.h"

namespace wc::store {

class S3DocumentBackend : public DocumentBackend {
 public:
  S3DocumentBackend(std::shared_ptr<aws::S3Client> client, std::string bucket);

  std::string describe() const override;
  /// HeadBucket: a missing bucket or refused credentials are fatal.
  util::Expected<void, StoreError> check() override;
  util::Expected<std::optional<std::string>, StoreError> get(const std::string& key) override;
  /// only_if_absent is PutObject with If-None-Match: *, so a create costs one call.
  util::Expected<bool, StoreError> put(const std::string& key, const std::string& json,
                                       bool only_if_absent) override;
  /// HeadObject, then DeleteObject (S3's delete does not say whether the key existed).
  util::Expected<bool, StoreError> remove(const std::string& key) override;

 private:
  StoreError error(const aws::AwsError& error) const;

  std::shared_ptr<aws::S3Client> client_;
  std::string bucket_;
};

}  // namespace wc::store
