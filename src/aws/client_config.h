#pragma once
// Region, endpoint and credentials for one service, resolved like the AWS CLI does.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
  std::string service;  ///< "s3", "dynamodb", "sqs", "sts"
  std::string region;
  /// scheme://host[:port] for a custom endpoint (flag, AWS_ENDPOINT_URL_<SERVICE>,
  /// AWS_ENDPOINT_URL, or endpoint_url in the profile); empty means AWS itself.
  std::string endpoint_url;
  /// Asked for credentials before each attempt; one provider serves every client of a
  /// process. Null: calls go unsigned.
  std::shared_ptr<CredentialsProvider> credentials;

  bool custom_endpoint() const { return !endpoint_url.empty(); }
  /// Where calls go: the custom endpoint (without trailing slashes), else AWS's own,
  /// aws_endpoint(host_prefix, region).
  std::string endpoint(std::string_view host_prefix) const;
};

/// https://{host_prefix}.{region}.amazonaws.com (amazonaws.com.cn in the China regions): where
/// AWS serves a service, host_prefix "dynamodb", "sqs", "portal.sso", "bucket.s3" and so on.
std::string aws_endpoint(std::string_view host_prefix, std::string_view region);

/// A region and where it was found, for messages.
struct RegionChoice {
  std::string region;
  std::string source;  ///< "--region", "AWS_REGION", "'region' in profile 'x' of ..."
};

/// The region the user configured: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's
/// `region`; nullopt when none of them is set. A malformed region is an error naming its
/// source.
util::Expected<std::optional<RegionChoice>, std::string> configured_region(
    const AwsOptions& options, const EnvLookup& env);

/// The service's custom endpoint: --endpoint-url, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
/// the service's entry in the profile's `services` section, the profile's endpoint_url;
/// empty for AWS itself. A malformed URL is an error naming its source.
util::Expected<std::string, std::string> configured_endpoint(const std::string& service,
                                                             const AwsOptions& options,
                                                             const EnvLookup& env);

}  // namespace wc::aws
