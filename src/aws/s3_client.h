#pragma once
// An S3 client: the REST/XML wire format of the operations this project needs, signed with
// SigV4, sent through a shared transport, transient failures retried by RetryPolicy.
// Thread-safe: one client may be used from many threads.
//
// Addressing: a custom endpoint gets path-style URLs ({endpoint}/{bucket}/{key}); AWS itself
// gets virtual-hosted ones (https://{bucket}.s3.{region}.amazonaws.com/{key}), except for bucket
// names with dots, which would not match the TLS certificate and go path-style. Keys are
// URI-encoded with '/' kept and sent exactly as written (no dot-segment removal).
// Every object operation refuses an empty key (InvalidArgument, nothing sent): it would
// address the bucket instead.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/aws_call.h"
#include "aws/aws_error.h"
#include "aws/client_config.h"
#include "aws/http.h"
#include "aws/retry_policy.h"
#include "util/expected.h"

namespace wc::aws {

struct S3Object {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;  ///< as S3 sends it, quotes included
};

struct ListObjectsRequest {
  std::string prefix;
  std::string start_after;
  std::string continuation_token;
  int max_keys = 1000;
};

struct ListObjectsPage {
  std::vector<S3Object> objects;        ///< in key (byte) order
  std::string next_continuation_token;  ///< empty when this is the last page
};

struct GetObjectResult {
  std::string body;
  std::string content_type;
  std::string etag;
};

struct PutObjectRequest {
  std::string content_type = "application/octet-stream";
  /// Send If-None-Match: * so the put fails with PreconditionFailed (412) when the key exists.
  bool if_none_match = false;
};

struct DeleteObjectsResult {
  std::vector<std::string> deleted;
  std::vector<std::pair<std::string, AwsError>> failed;  ///< key, why
};

class S3Client {
 public:
  S3Client(ServiceConfig config, std::shared_ptr<HttpTransport> transport, RetryPolicy retry = {},
           RetryObserver on_retry = {}, AttemptObserver on_attempt = {});

  /// One page of ListObjectsV2. NoSuchBucket (404) and AccessDenied (403) come back as errors.
  /// Keys are requested URL-encoded (so any byte survives XML) and returned decoded.
  /// max_keys <= 0 leaves the server's default (1000).
  util::Expected<ListObjectsPage, AwsError> list_objects_v2(const std::string& bucket,
                                                            const ListObjectsRequest& request);
  /// GetObject. A missing key is the error code "NoSuchKey" (404).
  util::Expected<GetObjectResult, AwsError> get_object(const std::string& bucket,
                                                       const std::string& key);
  /// GetObject of every key at once (AwsCaller::send_all), results in the keys' order.
  std::vector<util::Expected<GetObjectResult, AwsError>> get_objects(
      const std::string& bucket, const std::vector<std::string>& keys);
  /// PutObject. With if_none_match, an existing key is the error code "PreconditionFailed" (412).
  /// Beware: if an attempt's answer is lost (reset, timeout) after S3 stored the object, the
  /// retry finds the key existing and fails with PreconditionFailed although the write happened.
  util::Expected<void, AwsError> put_object(const std::string& bucket, const std::string& key,
                                            const std::string& body,
                                            const PutObjectRequest& options = {});
  /// HeadObject: true if the key exists, false on 404. A HEAD answer has no body, so a missing
  /// bucket also reads as false.
  util::Expected<bool, AwsError> head_object(const std::string& bucket, const std::string& key);
  /// HeadBucket: succeeds when the bucket exists and the credentials may use it. A 403 is
  /// followed by GetBucketLocation, whose error body tells SignatureDoesNotMatch or
  /// InvalidAccessKeyId from a plain AccessDenied.
  util::Expected<void, AwsError> head_bucket(const std::string& bucket);
  /// DeleteObject. Deleting a missing key succeeds (S3 answers 204 either way).
  util::Expected<void, AwsError> delete_object(const std::string& bucket, const std::string& key);
  /// DeleteObjects (at most 1000 keys), quiet mode, with the Content-MD5 header S3 demands.
  /// Per-key failures are in the result (retryable set from the retry table, not retried here);
  /// every other requested key is in `deleted`, as quiet mode reports failures only. The call
  /// itself fails only as a whole (more than 1000 keys: InvalidArgument, nothing sent; no keys:
  /// an empty result, nothing sent).
  util::Expected<DeleteObjectsResult, AwsError> delete_objects(
      const std::string& bucket, const std::vector<std::string>& keys);

  /// HTTP requests sent so far (retries included).
  std::uint64_t calls() const { return caller_.calls(); }
  std::uint64_t retries() const { return caller_.retries(); }

 private:
  HttpRequest make_request(const std::string& method, const std::string& bucket,
                           const std::string& key) const;
  /// Sends through the caller, naming the resource after bucket and key (a key-less request
  /// addresses the bucket, which also names a body-less 404: NoSuchBucket vs NoSuchKey).
  util::Expected<HttpResponse, AwsError> execute(const std::string& operation,
                                                 const std::string& bucket, const std::string& key,
                                                 HttpRequest request);

  AwsCaller caller_;
};

}  // namespace wc::aws
