#pragma once
// Container credentials: the ECS task role (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, served at
// 169.254.170.2) and EKS Pod Identity (AWS_CONTAINER_CREDENTIALS_FULL_URI with an
// authorization token).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "aws/credential_source.h"
#include "aws/credentials.h"
#include "aws/http.h"
#include "util/expected.h"

namespace wc::aws {

/// The endpoint the environment names: "http://169.254.170.2" + the relative URI, else the
/// full URI (checked with container_url_allowed); nullopt when neither variable is set.
util::Expected<std::optional<std::string>, std::string> container_credentials_url(
    const EnvLookup& env);

/// The SDKs' rule for a full URI: https to any host; plain http only to a loopback address
/// (127.0.0.0/8, ::1, "localhost") or the ECS and EKS agents (169.254.170.2, 169.254.170.23,
/// fd00:ec2::23). The error says why the URL is refused.
util::Expected<void, std::string> container_url_allowed(const std::string& url);

struct ContainerFetchOptions {
  int attempts = 3;                             ///< botocore's ContainerMetadataFetcher
  std::chrono::milliseconds retry_delay{1000};  ///< between attempts
};

/// GETs the URL with Accept: application/json and, when configured, an Authorization header
/// from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read again for every fetch: the agent rotates
/// it) or AWS_CONTAINER_AUTHORIZATION_TOKEN. Answers other than 200 and transport failures
/// are retried. The answer needs AccessKeyId, SecretAccessKey, Token and Expiration.
class ContainerCredentialsSource final : public CredentialSource {
 public:
  ContainerCredentialsSource(std::string url, EnvLookup env,
                             std::shared_ptr<HttpTransport> transport,
                             ContainerFetchOptions options = {});

  util::Expected<Credentials, std::string> fetch() override;
  std::string describe() const override;

 private:
  util::Expected<std::string, std::string> authorization() const;
  util::Expected<Credentials, std::string> fetch_once(const HttpRequest& request);

  std::string url_;
  EnvLookup env_;
  std::shared_ptr<HttpTransport> transport_;
  ContainerFetchOptions options_;
};

}  // namespace wc::aws
