#include "store/s3_document_backend.h"

#include "store/store_error.h"

namespace wc::store {

namespace {

constexpr const char* k_json_content_type = "application/json";

}  // namespace

S3DocumentBackend::S3DocumentBackend(std::shared_ptr<aws::S3Client> client, std::string bucket)
    : client_(std::move(client)), bucket_(std::move(bucket)) {}

std::string S3DocumentBackend::describe() const { return "S3 bucket '" + bucket_ + "'"; }

StoreError S3DocumentBackend::error(const aws::AwsError& error) const {
  return store_error(describe(), error);
}

util::Expected<void, StoreError> S3DocumentBackend::check() {
  auto result = client_->head_bucket(bucket_);
  if (!result) return util::Unexpected(error(result.error()));
  return {};
}

util::Expected<std::optional<std::string>, StoreError> S3DocumentBackend::get(
    const std::string& key) {
  auto object = client_->get_object(bucket_, key);
  if (object) return std::optional<std::string>(std::move(object->body));
  if (object.error().code == "NoSuchKey") return std::optional<std::string>();
  return util::Unexpected(error(object.error()));
}

util::Expected<bool, StoreError> S3DocumentBackend::put(const std::string& key,
                                                        const std::string& json,
                                                        bool only_if_absent) {
  aws::PutObjectRequest options;
  options.content_type = k_json_content_type;
  options.if_none_match = only_if_absent;
  auto result = client_->put_object(bucket_, key, json, options);
  if (result) return true;
  if (only_if_absent && result.error().code == "PreconditionFailed") return false;
  return util::Unexpected(error(result.error()));
}

util::Expected<bool, StoreError> S3DocumentBackend::remove(const std::string& key) {
  auto exists = client_->head_object(bucket_, key);
  if (!exists) return util::Unexpected(error(exists.error()));
  if (!*exists) return false;
  auto result = client_->delete_object(bucket_, key);
  if (!result) return util::Unexpected(error(result.error()));
  return true;
}

}  // namespace wc::store
