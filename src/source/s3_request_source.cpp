#include "source/s3_request_source.h"

#include <algorithm>

#include "aws/error_class.h"

namespace wc::source {

namespace {

constexpr int k_max_list_page = 1000;  // ListObjectsV2's own upper bound

}  // namespace

S3RequestSource::S3RequestSource(std::shared_ptr<aws::S3Client> client, std::string bucket)
    : client_(std::move(client)), bucket_(std::move(bucket)) {}

std::string S3RequestSource::describe() const { return "S3 bucket '" + bucket_ + "'"; }

SourceError S3RequestSource::error(const aws::AwsError& error) const {
  return SourceError{"request source " + describe() + ": " + error.describe(),
                     aws::classify(error) == aws::ErrorClass::access};
}

util::Expected<void, SourceError> S3RequestSource::check() {
  auto result = client_->head_bucket(bucket_);
  if (!result) return util::Unexpected(error(result.error()));
  return {};
}

util::Expected<std::vector<SourceRequest>, SourceError> S3RequestSource::poll(std::size_t max) {
  aws::ListObjectsRequest list;
  list.start_after = window_.list_after();
  list.max_keys = static_cast<int>(std::min<std::size_t>(std::max<std::size_t>(max, 1),
                                                         k_max_list_page));
  auto page = client_->list_objects_v2(bucket_, list);
  if (!page) return util::Unexpected(error(page.error()));

  std::vector<SourceRequest> requests;
  for (auto& object : page->objects) {
    window_.pass(object.key);
    bool folder_marker = !object.key.empty() && object.key.back() == '/' && object.size == 0;
    if (folder_marker || !window_.admits(object.key)) continue;
    window_.hand_out(object.key);
    requests.push_back(SourceRequest{std::move(object.key), object.size, std::nullopt, {}});
  }
  if (page->objects.empty()) window_.restart_pass();
  return requests;
}

util::Expected<std::optional<std::string>, SourceError> S3RequestSource::read(
    const SourceRequest& request) {
  auto object = client_->get_object(bucket_, request.key);
  if (object) return std::optional<std::string>(std::move(object->body));
  if (object.error().code == "NoSuchKey") {
    window_.finish(request.key);
    return std::optional<std::string>();
  }
  return util::Unexpected(error(object.error()));
}

util::Expected<void, SourceError> S3RequestSource::remove(const SourceRequest& request) {
  auto result = client_->delete_object(bucket_, request.key);
  if (!result) return util::Unexpected(error(result.error()));
  window_.finish(request.key);
  return {};
}

}  // namespace wc::source
