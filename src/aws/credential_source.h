#pragma once
// One way of obtaining a fresh set of credentials (STS, a metadata endpoint, a command), which
// RenewingCredentialsProvider calls again whenever the set it holds is due for renewal.

#include <string>

#include "aws/credentials.h"
#include "util/expected.h"

namespace wc::aws {

class CredentialSource {
 public:
  virtual ~CredentialSource() = default;

  /// A fresh set (with its expiration when it has one), or the cause of the failure. The cause
  /// need not name the source (describe() does) and never contains a secret. Called from one
  /// thread at a time.
  virtual util::Expected<Credentials, std::string> fetch() = 0;

  /// What the source is, for the start-up line and errors: "container credentials from
  /// http://169.254.170.2/v2/credentials/...". Never contains a secret.
  virtual std::string describe() const = 0;
};

}  // namespace wc::aws
