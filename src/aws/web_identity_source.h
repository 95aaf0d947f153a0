#pragma once
// Web identity (EKS IRSA and other OIDC federations): a token file traded for role credentials
// with STS AssumeRoleWithWebIdentity.

#include <memory>
#include <optional>
#include <string>

#include "aws/credential_source.h"
#include "aws/sts_client.h"

namespace wc::aws {

struct WebIdentitySettings {
  std::string role_arn;
  std::string token_file;
  std::string session_name;
  std::optional<int> duration_seconds;
  std::string origin;  ///< "AWS_WEB_IDENTITY_TOKEN_FILE" or "profile 'x'", for messages
};

/// Reads the token file again for every fetch (Kubernetes rotates it) and sends it unsigned.
class WebIdentitySource final : public CredentialSource {
 public:
  /// `sts` must send unsigned calls (ServiceConfig::credentials null).
  WebIdentitySource(WebIdentitySettings settings, std::shared_ptr<StsClient> sts);

  util::Expected<Credentials, std::string> fetch() override;
  std::string describe() const override;

 private:
  WebIdentitySettings settings_;
  std::shared_ptr<StsClient> sts_;
};

}  // namespace wc::aws
