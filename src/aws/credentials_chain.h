#pragma once
// The default credentials chain of the AWS SDKs: which provider supplies this process's
// credentials (README, "Credentials").

#include <chrono>
#include <memory>
#include <string>

#include "aws/aws_call.h"
#include "aws/container_credentials_source.h"
#include "aws/credentials.h"
#include "aws/http.h"
#include "aws/renewing_credentials_provider.h"
#include "util/expected.h"

namespace wc::aws {

/// The transports the credential sources use; tests put fakes here.
struct CredentialsNetwork {
  std::shared_ptr<HttpTransport> services;   ///< STS and the SSO portal
  std::shared_ptr<HttpTransport> container;  ///< the ECS/EKS agent: botocore's 2 s timeouts
  std::shared_ptr<HttpTransport> metadata;   ///< EC2 instance metadata: short timeouts
};

/// libcurl transports: default limits for STS and SSO, 2 s for the container agent,
/// `metadata_timeout` for instance metadata.
CredentialsNetwork default_credentials_network(std::chrono::milliseconds metadata_timeout);

struct ChainContext {
  EnvLookup env;
  std::string explicit_profile;  ///< --profile; empty: AWS_PROFILE, else "default"
  std::string region;            ///< where STS is called
  CredentialsNetwork network;
  /// Clock and observer for every renewing provider; `background` applies only to the
  /// provider the chain returns (the ones it signs with are renewed when it asks them).
  RenewalOptions renewal;
  RetryPolicy retry;       ///< for STS and the SSO portal
  RetryObserver on_retry;  ///< likewise
  ContainerFetchOptions container;
};

/// Walks the chain and returns the first provider that is configured, with its first set of
/// credentials already fetched:
///  1. with --profile, that profile (steps 2 and 3 are skipped);
///  2. AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) + AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY)
///     [+ AWS_SESSION_TOKEN];
///  3. AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN [+ AWS_ROLE_SESSION_NAME];
///  4. the profile (AWS_PROFILE or default): role_arn, SSO, static keys of the credentials
///     file, credential_process, static keys of the config file;
///  5. AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI;
///  6. EC2 instance metadata, unless AWS_EC2_METADATA_DISABLED.
/// A step that is configured but fails ends the walk with its error (naming the provider and
/// the cause); only instance metadata, which is always "configured", falls through when it
/// does not answer. Finding nothing is an error saying where it looked.
util::Expected<std::shared_ptr<CredentialsProvider>, std::string> resolve_credentials_provider(
    const ChainContext& context);

}  // namespace wc::aws
