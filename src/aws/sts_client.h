#pragma once
// An STS client for the two calls the credentials chain needs: AssumeRole (signed with the
// source credentials) and AssumeRoleWithWebIdentity (unsigned: the token is the proof).

#include <memory>
#include <optional>
#include <string>

#include "aws/aws_call.h"
#include "aws/aws_error.h"
#include "aws/client_config.h"
#include "aws/credentials.h"
#include "util/expected.h"

namespace wc::aws {

struct AssumeRoleRequest {
  std::string role_arn;
  std::string session_name;
  std::string external_id;              ///< empty: not sent
  std::optional<int> duration_seconds;  ///< nullopt: STS's default (one hour)
};

struct WebIdentityRequest {
  std::string role_arn;
  std::string session_name;
  std::string token;  ///< the OIDC token, as read from the token file
  std::optional<int> duration_seconds;
};

/// The regional endpoint https://sts.{region}.amazonaws.com (.com.cn in China) unless the
/// config names a custom one. Query protocol over POST, XML answers; transient failures are
/// retried by AwsCaller.
class StsClient {
 public:
  /// `config.credentials` signs the calls; null sends them unsigned (all that
  /// AssumeRoleWithWebIdentity needs).
  StsClient(ServiceConfig config, std::shared_ptr<HttpTransport> transport, RetryPolicy retry = {},
            RetryObserver on_retry = {});

  /// The role's temporary credentials, with their expiration.
  util::Expected<Credentials, AwsError> assume_role(const AssumeRoleRequest& request);
  util::Expected<Credentials, AwsError> assume_role_with_web_identity(
      const WebIdentityRequest& request);

  /// The endpoint calls go to (for descriptions).
  const std::string& endpoint() const { return endpoint_; }

 private:
  util::Expected<Credentials, AwsError> call(const std::string& action, const std::string& role_arn,
                                             std::vector<std::pair<std::string, std::string>> form);

  AwsCaller caller_;
  std::string endpoint_;
};

/// Reads the Credentials element of an AssumeRole / AssumeRoleWithWebIdentity answer (exposed
/// for tests). The error never quotes the document, which holds a secret.
util::Expected<Credentials, std::string> parse_sts_credentials(std::string_view xml,
                                                               std::string_view action);

}  // namespace wc::aws
