#pragma once
// Region, endpoint and credentials for one service, resolved like the AWS CLI does.

#include <optional>
#include <string>

#include "aws/credentials.h"
#include "util/expected.h"

namespace wc::aws {

/// What the user said on the command line (empty = not said).
struct AwsOptions {
  std::string profile;
  std::string region;
  std::string endpoint_url;
};

struct ServiceConfig {
  std::string service;   ///< "s3", "dynamodb", "sqs"
  std::string region;
  /// scheme://host[:port] for a custom endpoint (flag, AWS_ENDPOINT_URL_<SERVICE>,
  /// AWS_ENDPOINT_URL, or endpoint_url in the profile); empty means AWS itself.
  std::string endpoint_url;
  Credentials credentials;

  bool custom_endpoint() const { return !endpoint_url.empty(); }
};

/// Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, else us-east-1.
/// Endpoint: --endpoint-url, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's
/// endpoint_url. Errors (no credentials, unknown profile) name what is missing.
util::Expected<ServiceConfig, std::string> resolve_service_config(const std::string& service,
                                                                  const AwsOptions& options,
                                                                  const EnvLookup& env);

}  // namespace wc::aws
