#pragma once
// The EC2 instance profile's credentials, from instance metadata.

#include <memory>
#include <mutex>
#include <string>

#include "aws/credential_source.h"
#include "aws/imds_client.h"

namespace wc::aws {

/// Each fetch takes a fresh IMDSv2 token, reads the role name from
/// /latest/meta-data/iam/security-credentials/ and then that role's credentials. Unlike
/// botocore, an expired set from IMDS is never stretched past its expiry.
class ImdsCredentialsSource final : public CredentialSource {
 public:
  explicit ImdsCredentialsSource(std::unique_ptr<ImdsClient> client);

  util::Expected<Credentials, std::string> fetch() override;
  /// "EC2 instance metadata at http://169.254.169.254 (role 'web', IMDSv2)"
  std::string describe() const override;

 private:
  std::unique_ptr<ImdsClient> client_;
  mutable std::mutex mutex_;  // role_ and v1_ are read by describe() on other threads
  std::string role_;
  bool v1_ = false;
};

}  // namespace wc::aws
