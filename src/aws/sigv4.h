#pragma once
// AWS Signature Version 4, as a pure function of request, credentials and time.

#include <chrono>
#include <string>

#include "aws/credentials.h"
#include "aws/http.h"

namespace wc::aws {

struct SigningParams {
  std::string region;
  std::string service;  ///< "s3", "dynamodb", "sqs"
  std::chrono::system_clock::time_point time;
  /// S3 signs the path as sent (no normalisation, single encoding) and needs the
  /// x-amz-content-sha256 header; every other service normalises and double-encodes the path.
  bool s3_rules = false;
};

/// The canonical request of the SigV4 spec (exposed for tests), for `request` as it is plus a
/// Host header derived from `endpoint` when it has none. Every header but Authorization is
/// signed; the payload hash is the x-amz-content-sha256 header if present, else SHA-256(body).
std::string canonical_request(const HttpRequest& request, const SigningParams& params);
/// The string to sign (exposed for tests).
std::string string_to_sign(const HttpRequest& request, const SigningParams& params);

/// Returns `request` with Host (if absent), X-Amz-Date, X-Amz-Security-Token (temporary
/// credentials), x-amz-content-sha256 (S3, unless the caller set it, e.g. UNSIGNED-PAYLOAD)
/// and Authorization headers added. Signing a signed request again (a retry) replaces its
/// Authorization, X-Amz-Date and X-Amz-Security-Token instead of duplicating them. The
/// transport must send the signed headers unchanged; headers it adds are simply unsigned.
HttpRequest sign(HttpRequest request, const Credentials& credentials, const SigningParams& params);

}  // namespace wc::aws
