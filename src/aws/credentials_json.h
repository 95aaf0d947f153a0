#pragma once
// The JSON credentials document that the container endpoint, EC2 instance metadata and
// credential_process hand out: {"AccessKeyId", "SecretAccessKey", "Token" or "SessionToken",
// "Expiration"}.

#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "util/expected.h"

namespace wc::aws {

struct CredentialsJsonRules {
  std::string_view token_field = "Token";  ///< credential_process calls it "SessionToken"
  bool expiration_required = true;         ///< credential_process may leave it out
  bool token_required = true;
};

/// Reads the document. Errors say which field is missing or malformed and never quote the
/// document (it holds a secret). A {"Code": "...", "Message": "..."} error document (what EC2
/// sends when the role cannot be assumed) becomes an error with that code and message.
util::Expected<Credentials, std::string> parse_credentials_json(std::string_view body,
                                                                const CredentialsJsonRules& rules);

}  // namespace wc::aws
