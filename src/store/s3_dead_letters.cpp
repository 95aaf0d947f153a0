#include "store/s3_dead_letters.h"

#include "store/store_error.h"

namespace wc::store {

S3DeadLetters::S3DeadLetters(std::shared_ptr<aws::S3Client> client, std::string bucket)
    : client_(std::move(client)), bucket_(std::move(bucket)) {}

std::string S3DeadLetters::describe() const { return "dead-letter bucket '" + bucket_ + "'"; }

util::Expected<void, StoreError> S3DeadLetters::check() {
  auto result = client_->head_bucket(bucket_);
  if (!result) return util::Unexpected(store_error(describe(), result.error()));
  return {};
}

util::Expected<void, StoreError> S3DeadLetters::keep(const DeadLetter& letter) {
  const std::string key = dead_letter_object_key(letter.source_key);
  auto bytes = client_->put_object(bucket_, key, letter.body);
  if (!bytes) return util::Unexpected(store_error(describe(), bytes.error()));
  aws::PutObjectRequest json;
  json.content_type = "application/json";
  auto record = client_->put_object(bucket_, key + ".error.json", dead_letter_record(letter), json);
  if (!record) return util::Unexpected(store_error(describe(), record.error()));
  return {};
}

}  // namespace wc::store
