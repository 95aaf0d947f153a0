#include "source/s3_request_source.h"

#include <algorithm>

#include "aws/error_class.h"

namespace wc::source {

namespace {

constexpr int k_list_page = 1000;             // ListObjectsV2's own upper bound
constexpr std::size_t k_delete_batch = 1000;  // DeleteObjects' own upper bound

bool is_folder_marker(const aws::S3Object& object) {
  return !object.key.empty() && object.key.back() == '/' && object.size == 0;
}

}  // namespace

S3RequestSource::S3RequestSource(std::shared_ptr<aws::S3Client> client, std::string bucket,
                                 S3SourceOptions options)
    : client_(std::move(client)), bucket_(std::move(bucket)), options_(std::move(options)) {}

std::string S3RequestSource::describe() const { return "S3 bucket '" + bucket_ + "'"; }

SourceError S3RequestSource::error(const aws::AwsError& error, bool opening) const {
  // Opening, a call refused for any reason but a transient one will be refused again.
  const auto kind = aws::classify(error);
  return SourceError{
      "request source " + describe() + ": " + error.describe(),
      kind == aws::ErrorClass::access || (opening && kind == aws::ErrorClass::request)};
}

util::Expected<void, SourceError> S3RequestSource::open() {
  auto result = client_->head_bucket(bucket_);
  if (!result) return util::Unexpected(error(result.error(), true));
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

util::Expected<std::vector<LeasedRequest>, SourceError> S3RequestSource::poll(
    std::size_t max, LeaseClock::time_point) {
  bool empty = false;
  {
    std::lock_guard lock(mutex_);
    empty = listed_.empty();
  }
  if (empty) {
    if (auto listed = list_page(); !listed) return util::Unexpected(std::move(listed).error());
  }
  std::vector<aws::S3Object> objects;
  {
    std::lock_guard lock(mutex_);
    while (!listed_.empty() && objects.size() < max) {
      objects.push_back(std::move(listed_.front()));
      listed_.pop_front();
      window_.hand_out(objects.back().key);
    }
  }
  auto bodies = read_bodies(objects);
  std::vector<LeasedRequest> requests;
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < objects.size(); ++i) {
    auto& body = bodies[i];
    if (!body) {
      // Kept, in order, for the next poll: nothing behind a request may overtake it.
      for (std::size_t j = objects.size(); j-- > i;) {
        window_.give_back(objects[j].key);
        listed_.push_front(std::move(objects[j]));
      }
      if (requests.empty()) return util::Unexpected(std::move(body).error());
      break;
    }
    if (!body->has_value()) {
      window_.finish(objects[i].key);
      if (options_.warn) {
        options_.warn(objects[i].key + ": request vanished from " + describe() +
                      " before it was read; skipped");
      }
      continue;
    }
    requests.push_back(
        LeasedRequest{objects[i].key, std::move(**body), objects[i].key, Lease{}, {}});
  }
  return requests;
}

std::vector<util::Expected<std::optional<std::string>, SourceError>> S3RequestSource::read_bodies(
    const std::vector<aws::S3Object>& objects) {
  std::vector<util::Expected<std::optional<std::string>, SourceError>> bodies;
  bodies.reserve(objects.size());
  const std::size_t chunk = std::max<std::size_t>(options_.reads_in_flight, 1);
  for (std::size_t begin = 0; begin < objects.size(); begin += chunk) {
    std::vector<std::string> keys;
    for (std::size_t i = begin; i < std::min(objects.size(), begin + chunk); ++i) {
      keys.push_back(objects[i].key);
    }
    for (auto& object : client_->get_objects(bucket_, keys)) {
      if (object) {
        bodies.emplace_back(std::optional<std::string>(std::move(object->body)));
      } else if (object.error().code == "NoSuchKey") {
        bodies.emplace_back(std::optional<std::string>());
      } else {
        bodies.emplace_back(util::Unexpected(error(object.error())));
      }
    }
  }
  return bodies;
}

void S3RequestSource::give_back(const std::vector<LeasedRequest>& requests) {
  std::lock_guard lock(mutex_);
  for (const auto& request : requests) window_.give_back(request.key);
}

util::Expected<std::vector<NotRemoved>, SourceError> S3RequestSource::acknowledge(
    const std::vector<LeasedRequest>& requests) {
  std::vector<NotRemoved> failed;
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
    if (!result) {
      for (std::size_t i = begin; i < end; ++i) {
        failed.push_back(NotRemoved{requests[i], error(result.error()), false});
      }
      continue;
    }
    std::lock_guard lock(mutex_);
    for (const auto& key : result->deleted) window_.finish(key);
    for (const auto& [key, why] : result->failed) {
      auto it = std::find_if(requests.begin() + static_cast<std::ptrdiff_t>(begin),
                             requests.begin() + static_cast<std::ptrdiff_t>(end),
                             [&](const LeasedRequest& r) { return r.key == key; });
      if (it != requests.end()) failed.push_back(NotRemoved{*it, error(why), false});
    }
  }
  return failed;
}

}  // namespace wc::source
