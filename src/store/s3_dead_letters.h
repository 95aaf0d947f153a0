#pragma once
// Dead letters as objects of an S3 bucket (`--dead-letter-bucket`).

#include <memory>
#include <string>

#include "aws/s3_client.h"
#include "store/dead_letter_sink.h"

namespace wc::store {

class S3DeadLetters : public DeadLetterSink {
 public:
  S3DeadLetters(std::shared_ptr<aws::S3Client> client, std::string bucket);

  std::string describe() const override;
  /// HeadBucket.
  util::Expected<void, StoreError> check() override;
  /// Object `{name}` with the bytes and `{name}.error.json` with the record, where `name` is
  /// dead_letter_object_key of the source key (the key itself when it fits).
  util::Expected<void, StoreError> keep(const DeadLetter& letter) override;

 private:
  std::shared_ptr<aws::S3Client> client_;
  std::string bucket_;
};

}  // namespace wc::store
