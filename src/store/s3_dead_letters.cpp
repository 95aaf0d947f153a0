#include "store/s3_dead_letters.h"

namespace wc::store {

S3DeadLetters::S3DeadLetters(std::shared_ptr<aws::S3Client> client, std::string bucket)
    : client_(std::move(client)), bucket_(std::move(bucket)) {}

std::string S3DeadLetters::describe() const { return "dead-letter bucket '" + bucket_ + "'"; }

util::Expected<void, std::string> S3DeadLetters::check() {
  auto result = client_->head_bucket(bucket_);
  if (!result) return util::Unexpected(describe() + ": " + result.error().describe());
  return {};
}

util::Expected<void, std::string> S3DeadLetters::keep(const DeadLetter& letter) {
  const std::string key = dead_letter_object_key(letter.source_key);
  auto bytes = client_->put_object(bucket_, key, letter.body);
  if (!bytes) return util::Unexpected(describe() + ": " + bytes.error().describe());
  aws::PutObjectRequest json;
  json.content_type = "application/json";
  auto record = client_->put_object(bucket_, key + ".error.json", dead_letter_record(letter), json);
  if (!record) return util::Unexpected(describe() + ": " + record.error().describe());
  return {};
}

}  // namespace wc::store
