#pragma once
// A role assumed with STS AssumeRole, signed with the credentials of another provider (a
// source profile, the environment, the container or the instance): `role_arn` in a profile.

#include <memory>
#include <string>

#include "aws/credential_source.h"
#include "aws/sts_client.h"

namespace wc::aws {

class AssumeRoleSource final : public CredentialSource {
 public:
  /// `sts` signs with the source credentials; `source` names them in describe().
  AssumeRoleSource(AssumeRoleRequest request, std::string profile,
                   std::shared_ptr<CredentialsProvider> source, std::shared_ptr<StsClient> sts);

  util::Expected<Credentials, std::string> fetch() override;
  /// "role arn:aws:iam::1:role/x (profile 'p') via STS AssumeRole at https://sts...., signed
  /// with <the source's description>"
  std::string describe() const override;

 private:
  AssumeRoleRequest request_;
  std::string profile_;
  std::shared_ptr<CredentialsProvider> source_;
  std::shared_ptr<StsClient> sts_;
};

}  // namespace wc::aws
