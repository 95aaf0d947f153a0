#include "source/s3_request_source.h"

#include <algorithm>

#include "aws/error_class.h"

namespace wc::source {

namespace {

constexpr int k_list_page = 1000;           // ListObjectsV2's own upper bound
constexpr std::size_t k_delete_batch = 1000;  // DeleteObjects' own upper bound

bool is_folder_marker(const aws::S3Object& object) {
  return !object.key.empty() && object.key.back() == '/' && object.size == 0;
}

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

util::Expected<void, SourceError> S3RequestSource::list_page() {
  aws::ListObjectsRequest list;
  {
    std::lock_guard lock(mutex_);
    window_.begin_listing();
    list.start_after = window_.list_after();
  }
  list.max_keys = k_list_page;
  auto page = client_->list_objects_v2(bucket_, list);
  if (!page) return util::Unexpected(error(page.error()));
  std::lock_guard lock(mutex_);
  for (auto& object : page->objects) {
    window_.pass(object.key);
    if (!is_folder_marker(object) && window_.admits(object.key)) {
      listed_.push_back(std::move(object));
    }
  }
  if (page->objects.empty()) window_.restart_pass();
  return {};
}

util::Expected<std::vector<SourceRequest>, SourceError> S3RequestSource::poll(std::size_t max) {
  bool empty = false;
  {
    std::lock_guard lock(mutex_);
    empty = listed_.empty();
  }
  if (empty) {
    if (auto listed = list_page(); !listed) return util::Unexpected(std::move(listed).error());
  }
  std::vector<SourceRequest> requests;
  std::lock_guard lock(mutex_);
  while (!listed_.empty() && requests.size() < max) {
    aws::S3Object object = std::move(listed_.front());
    listed_.pop_front();
    window_.hand_out(object.key);
    requests.push_back(SourceRequest{std::move(object.key), object.size, std::nullopt, {}});
  }
  return requests;
}

util::Expected<std::optional<std::string>, SourceError> S3RequestSource::read(
    const SourceRequest& request) {
  auto object = client_->get_object(bucket_, request.key);
  if (object) return std::optional<std::string>(std::move(object->body));
  if (object.error().code == "NoSuchKey") {
    std::lock_guard lock(mutex_);
    window_.finish(request.key);
    return std::optional<std::string>();
  }
  return util::Unexpected(error(object.error()));
}

util::Expected<void, SourceError> S3RequestSource::remove(const SourceRequest& request) {
  auto result = client_->delete_object(bucket_, request.key);
  if (!result) return util::Unexpected(error(result.error()));
  std::lock_guard lock(mutex_);
  window_.finish(request.key);
  return {};
}

util::Expected<std::vector<std::pair<SourceRequest, SourceError>>, SourceError>
S3RequestSource::remove_batch(const std::vector<SourceRequest>& requests) {
  std::vector<std::pair<SourceRequest, SourceError>> failed;
  for (std::size_t begin = 0; begin < requests.size(); begin += k_delete_batch) {
    std::size_t end = std::min(requests.size(), begin + k_delete_batch);
    std::vector<std::string> keys;
    for (std::size_t i = begin; i < end; ++i) keys.push_back(requests[i].key);
    auto result = client_->delete_objects(bucket_, keys);
    if (!result && aws::classify(result.error()) == aws::ErrorClass::request) {
      // A key the XML body cannot carry (control characters) spoils the whole batch: fall
      // back to one DeleteObject per key.
      result = aws::DeleteObjectsResult{};
      for (const auto& key : keys) {
        if (auto one = client_->delete_object(bucket_, key)) {
          result->deleted.push_back(key);
        } else {
          result->failed.emplace_back(key, one.error());
        }
      }
    }
    if (!result) return util::Unexpected(error(result.error()));
    std::lock_guard lock(mutex_);
    for (const auto& key : result->deleted) window_.finish(key);
    for (const auto& [key, why] : result->failed) {
      auto it = std::find_if(requests.begin() + static_cast<std::ptrdiff_t>(begin),
                             requests.begin() + static_cast<std::ptrdiff_t>(end),
                             [&](const SourceRequest& r) { return r.key == key; });
      if (it != requests.end()) failed.emplace_back(*it, error(why));
    }
  }
  return failed;
}

}  // namespace wc::source
