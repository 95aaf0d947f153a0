#include "aws/s3_client.h"

#include <fmt/format.h>

#include <unordered_set>

#include "aws/encoding.h"
#include "aws/s3_xml.h"

namespace wc::aws {

namespace {

constexpr std::size_t k_max_delete_keys = 1000;
constexpr std::string_view k_invalid_argument = "InvalidArgument";

std::string resource_name(const std::string& bucket, const std::string& key) {
  return key.empty() ? fmt::format("bucket '{}'", bucket) : fmt::format("s3://{}/{}", bucket, key);
}

/// An error for a call refused before sending anything.
AwsError refused(std::string operation, const std::string& bucket, const std::string& key,
                 std::string message) {
  return AwsError{.operation = std::move(operation),
                  .resource = resource_name(bucket, key),
                  .code = std::string(k_invalid_argument),
                  .message = std::move(message),
                  .attempts = 0};
}

util::Expected<void, AwsError> require_key(const char* operation, const std::string& bucket,
                                           const std::string& key) {
  if (!key.empty()) return {};
  return util::Unexpected(refused(operation, bucket, key, "empty object key"));
}

/// A 2xx answer whose body is not what the operation returns.
AwsError malformed_response(std::string operation, const std::string& bucket, long status,
                            const std::string& why) {
  return AwsError{.operation = std::move(operation),
                  .resource = resource_name(bucket, {}),
                  .http_status = status,
                  .code = "MalformedResponse",
                  .message = why};
}

/// Reads S3's error answer to a request on a bucket or an object; `region` is the client's.
ErrorParser error_parser(S3Target target, const std::string& region) {
  return [target, &region](const HttpResponse& response) {
    S3ErrorDocument document = parse_s3_error(response.status, response.body, target);
    explain_other_region(document, response.header("x-amz-bucket-region"), region);
    return ServiceError{std::move(document.code), std::move(document.message)};
  };
}

/// GetObject's answer: the body, taken from the response, and the headers we keep.
GetObjectResult object_of(HttpResponse& response) {
  return GetObjectResult{std::move(response.body), std::string(response.header("Content-Type")),
                         std::string(response.header("ETag"))};
}

}  // namespace

S3Client::S3Client(ServiceConfig config, std::shared_ptr<HttpTransport> transport,
                   RetryPolicy retry, RetryObserver on_retry, AttemptObserver on_attempt)
    : caller_(std::move(config), std::move(transport), retry, std::move(on_retry),
              /*s3_rules=*/true, std::move(on_attempt)) {}

HttpRequest S3Client::make_request(const std::string& method, const std::string& bucket,
                                   const std::string& key) const {
  const ServiceConfig& config = caller_.config();
  HttpRequest request;
  request.method = method;
  const std::string encoded_key = key.empty() ? "" : "/" + uri_encode(key, /*encode_slash=*/false);
  const bool path_style = config.custom_endpoint() || bucket.find('.') != std::string::npos;
  request.endpoint = config.endpoint(path_style ? "s3" : bucket + ".s3");
  request.path = path_style ? "/" + uri_encode(bucket) + encoded_key : encoded_key;
  if (request.path.empty()) request.path = "/";
  return request;
}

util::Expected<HttpResponse, AwsError> S3Client::execute(const std::string& operation,
                                                         const std::string& bucket,
                                                         const std::string& key,
                                                         HttpRequest request) {
  const S3Target target = key.empty() ? S3Target::bucket : S3Target::object;
  return caller_.send(AwsCall{operation, resource_name(bucket, key), std::move(request)},
                      error_parser(target, caller_.config().region));
}

util::Expected<ListObjectsPage, AwsError> S3Client::list_objects_v2(
    const std::string& bucket, const ListObjectsRequest& options) {
  HttpRequest request = make_request("GET", bucket, {});
  request.query = {{"list-type", "2"}, {"encoding-type", "url"}};
  if (options.max_keys > 0)
    request.query.emplace_back("max-keys", std::to_string(options.max_keys));
  if (!options.prefix.empty()) request.query.emplace_back("prefix", options.prefix);
  if (!options.start_after.empty()) request.query.emplace_back("start-after", options.start_after);
  if (!options.continuation_token.empty()) {
    request.query.emplace_back("continuation-token", options.continuation_token);
  }
  auto response = execute("ListObjectsV2", bucket, {}, std::move(request));
  if (!response) return util::Unexpected(std::move(response.error()));
  auto page = parse_list_objects_v2(response->body);
  if (!page) {
    return util::Unexpected(
        malformed_response("ListObjectsV2", bucket, response->status, page.error()));
  }
  return std::move(*page);
}

util::Expected<GetObjectResult, AwsError> S3Client::get_object(const std::string& bucket,
                                                               const std::string& key) {
  if (auto ok = require_key("GetObject", bucket, key); !ok) return util::Unexpected(ok.error());
  auto response = execute("GetObject", bucket, key, make_request("GET", bucket, key));
  if (!response) return util::Unexpected(std::move(response.error()));
  return object_of(*response);
}

std::vector<util::Expected<GetObjectResult, AwsError>> S3Client::get_objects(
    const std::string& bucket, const std::vector<std::string>& keys) {
  std::vector<util::Expected<GetObjectResult, AwsError>> results(keys.size(), GetObjectResult{});
  std::vector<AwsCall> calls;
  std::vector<std::size_t> sent;  // which key each call is for
  calls.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (auto ok = require_key("GetObject", bucket, keys[i]); !ok) {
      results[i] = util::Unexpected(ok.error());
      continue;
    }
    calls.push_back(
        AwsCall{"GetObject", resource_name(bucket, keys[i]), make_request("GET", bucket, keys[i])});
    sent.push_back(i);
  }
  std::vector<const AwsCall*> pointers;
  for (const AwsCall& call : calls) pointers.push_back(&call);
  auto responses =
      caller_.send_all(pointers, error_parser(S3Target::object, caller_.config().region));
  for (std::size_t k = 0; k < sent.size(); ++k) {
    auto& response = responses[k];
    if (!response) {
      results[sent[k]] = util::Unexpected(std::move(response.error()));
      continue;
    }
    results[sent[k]] = object_of(*response);
  }
  return results;
}

util::Expected<void, AwsError> S3Client::put_object(const std::string& bucket,
                                                    const std::string& key, const std::string& body,
                                                    const PutObjectRequest& options) {
  if (auto ok = require_key("PutObject", bucket, key); !ok) return ok;
  HttpRequest request = make_request("PUT", bucket, key);
  if (!options.content_type.empty())
    request.headers.emplace_back("Content-Type", options.content_type);
  if (options.if_none_match) request.headers.emplace_back("If-None-Match", "*");
  request.body = body;
  auto response = execute("PutObject", bucket, key, std::move(request));
  if (!response) return util::Unexpected(std::move(response.error()));
  return {};
}

util::Expected<bool, AwsError> S3Client::head_object(const std::string& bucket,
                                                     const std::string& key) {
  if (auto ok = require_key("HeadObject", bucket, key); !ok) return util::Unexpected(ok.error());
  auto response = execute("HeadObject", bucket, key, make_request("HEAD", bucket, key));
  if (response) return true;
  if (response.error().http_status == 404) return false;
  return util::Unexpected(std::move(response.error()));
}

util::Expected<void, AwsError> S3Client::head_bucket(const std::string& bucket) {
  auto response = execute("HeadBucket", bucket, {}, make_request("HEAD", bucket, {}));
  if (response) return {};
  if (response.error().http_status == 403) {
    // A HEAD answer has no body, so a refused signature or an unknown key reads as a bare
    // AccessDenied. GetBucketLocation's error body says which it is.
    HttpRequest location = make_request("GET", bucket, {});
    location.query = {{"location", ""}};
    auto detailed = execute("HeadBucket", bucket, {}, location);
    if (!detailed && detailed.error().http_status == 403) {
      return util::Unexpected(std::move(detailed.error()));
    }
  }
  return util::Unexpected(std::move(response.error()));
}

util::Expected<void, AwsError> S3Client::delete_object(const std::string& bucket,
                                                       const std::string& key) {
  if (auto ok = require_key("DeleteObject", bucket, key); !ok) return ok;
  auto response = execute("DeleteObject", bucket, key, make_request("DELETE", bucket, key));
  if (!response) return util::Unexpected(std::move(response.error()));
  return {};
}

util::Expected<DeleteObjectsResult, AwsError> S3Client::delete_objects(
    const std::string& bucket, const std::vector<std::string>& keys) {
  if (keys.empty()) return DeleteObjectsResult{};
  if (keys.size() > k_max_delete_keys) {
    return util::Unexpected(
        refused("DeleteObjects", bucket, {},
                fmt::format("{} keys given, at most {} allowed", keys.size(), k_max_delete_keys)));
  }
  HttpRequest request = make_request("POST", bucket, {});
  request.query = {{"delete", ""}};
  request.body = build_delete_request(keys);
  request.headers = {{"Content-Type", "application/xml"},
                     {"Content-MD5", md5_base64(request.body)}};
  auto response = execute("DeleteObjects", bucket, {}, std::move(request));
  if (!response) return util::Unexpected(std::move(response.error()));
  auto parsed = parse_delete_result(response->body);
  if (!parsed) {
    return util::Unexpected(
        malformed_response("DeleteObjects", bucket, response->status, parsed.error()));
  }
  DeleteObjectsResult result;
  std::unordered_set<std::string> failed_keys;
  for (S3DeleteFailure& failure : parsed->failed) {
    AwsError error{.operation = "DeleteObjects",
                   .resource = resource_name(bucket, failure.key),
                   .http_status = response->status,
                   .code = failure.code,
                   .message = failure.message,
                   .retryable = is_transient(0, failure.code)};
    failed_keys.insert(failure.key);
    result.failed.emplace_back(std::move(failure.key), std::move(error));
  }
  for (const std::string& key : keys) {
    if (!failed_keys.contains(key)) result.deleted.push_back(key);
  }
  return result;
}

}  // namespace wc::aws
