#pragma once
// EC2 instance metadata (IMDS): a session token first (IMDSv2), then GETs that carry it.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/http.h"
#include "aws/ini_file.h"
#include "util/expected.h"

namespace wc::aws {

struct ImdsSettings {
  /// AWS_EC2_METADATA_DISABLED=true: never asked.
  bool disabled = false;
  /// AWS_EC2_METADATA_V1_DISABLED=true or ec2_metadata_v1_disabled in the profile: no request
  /// without a token, even when the token call is refused.
  bool v1_disabled = false;
  /// AWS_EC2_METADATA_SERVICE_ENDPOINT / ec2_metadata_service_endpoint, else the IPv4 address
  /// or (AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE / ec2_metadata_service_endpoint_mode = IPv6)
  /// the IPv6 one; no trailing slash.
  std::string endpoint = "http://169.254.169.254";
  /// AWS_METADATA_SERVICE_TIMEOUT / metadata_service_timeout (seconds) and
  /// AWS_METADATA_SERVICE_NUM_ATTEMPTS / metadata_service_num_attempts: botocore's 1 and 1,
  /// so that a machine without IMDS gives up within a second.
  std::chrono::milliseconds timeout{1000};
  int attempts = 1;
};

/// Reads the settings from the environment and the selected profile (either may be null); an
/// endpoint that is not an http(s) URL or a bad number is an error naming its source.
util::Expected<ImdsSettings, std::string> imds_settings(const EnvLookup& env,
                                                        const IniSection* profile);

/// Thread-compatible (one call at a time). `transport` should time out after
/// settings.timeout.
class ImdsClient {
 public:
  ImdsClient(ImdsSettings settings, std::shared_ptr<HttpTransport> transport);

  /// The body of a metadata path ("/latest/meta-data/placement/region"), fetched with a fresh
  /// session token (PUT /latest/api/token, TTL 6 hours). A token call refused with 403, 404 or
  /// 405 means IMDSv1 (as botocore and the other SDKs do), unless v1 is disabled; anything
  /// else going wrong is an error: unreachable, timed out, a non-200 answer or an empty body.
  util::Expected<std::string, std::string> get(std::string_view path);

  /// True once a get() went without a token.
  bool used_v1() const { return used_v1_; }
  const ImdsSettings& settings() const { return settings_; }

 private:
  /// The token; empty when IMDSv1 is to be used.
  util::Expected<std::string, std::string> token();
  util::Expected<HttpResponse, std::string> send(const HttpRequest& request);

  ImdsSettings settings_;
  std::shared_ptr<HttpTransport> transport_;
  bool used_v1_ = false;
};

/// The instance's region (/latest/meta-data/placement/region).
util::Expected<std::string, std::string> imds_region(ImdsClient& client);

}  // namespace wc::aws
