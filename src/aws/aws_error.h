#pragma once
// What an AWS call that did not succeed tells its caller.

#include <string>

namespace wc::aws {

struct AwsError {
  std::string operation;   ///< "PutObject"
  std::string resource;    ///< "bucket 'widgets'" or "s3://widgets/widgets/x/y"
  long http_status = 0;    ///< 0 when no HTTP answer was received
  std::string code;        ///< "NoSuchBucket", "AccessDenied", "ConnectionError", ...
  std::string message;     ///< the server's message, or the transport's
  int attempts = 1;        ///< how many times the call was sent
  bool retryable = false;  ///< the last failure was transient (retries exhausted)

  /// "PutObject on bucket 'widgets' failed: NoSuchBucket (HTTP 404): The specified bucket does
  /// not exist (after 1 attempt)"
  std::string describe() const;
};

}  // namespace wc::aws
