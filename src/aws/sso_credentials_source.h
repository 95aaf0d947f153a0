#pragma once
// IAM Identity Center (SSO): the role credentials the SSO portal hands out for the token that
// `aws sso login` cached.

#include <memory>
#include <string>

#include "aws/aws_call.h"
#include "aws/credential_source.h"
#include "aws/renewing_credentials_provider.h"

namespace wc::aws {

struct SsoSettings {
  std::string profile;       ///< for messages and the `aws sso login` hint
  std::string session_name;  ///< the profile's sso_session; empty for the legacy form
  std::string start_url;
  std::string sso_region;
  std::string account_id;
  std::string role_name;
  std::string token_path;  ///< sso_token_cache_path(...)
};

/// Each fetch reads the cached token again (a new `aws sso login` replaces it) and calls
/// GetRoleCredentials (GET /federation/credentials on portal.sso.{sso_region}.amazonaws.com,
/// or `portal` when given: AWS_ENDPOINT_URL_SSO and the like). An expired or refused token is
/// an error that says to run `aws sso login`. The token is not refreshed with its refresh
/// token: that is the CLI's job.
class SsoCredentialsSource final : public CredentialSource {
 public:
  SsoCredentialsSource(SsoSettings settings, std::string portal,
                       std::shared_ptr<HttpTransport> transport, SystemClock clock,
                       RetryPolicy retry = {}, RetryObserver on_retry = {});

  util::Expected<Credentials, std::string> fetch() override;
  std::string describe() const override;

  /// Reads GetRoleCredentials' JSON (exposed for tests); the error never quotes it.
  static util::Expected<Credentials, std::string> parse_role_credentials(std::string_view body);

 private:
  std::string login_hint() const;

  SsoSettings settings_;
  std::string portal_;
  AwsCaller caller_;
  SystemClock clock_;
};

}  // namespace wc::aws
