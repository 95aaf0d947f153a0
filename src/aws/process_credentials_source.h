#pragma once
// credential_process: a command from the profile that prints credentials as JSON.

#include <chrono>
#include <string>

#include "aws/credential_source.h"

namespace wc::aws {

/// Runs the command (through /bin/sh, as the Go and Java SDKs do) for every fetch. Its
/// standard output must be {"Version": 1, "AccessKeyId", "SecretAccessKey", optional
/// "SessionToken", optional "Expiration"}; without an Expiration the keys are used for the
/// whole run. A non-zero exit is an error quoting the start of its standard error.
class ProcessCredentialsSource final : public CredentialSource {
 public:
  /// `profile` only names the source in messages: the command may hold secrets and is never
  /// printed.
  ProcessCredentialsSource(std::string command, std::string profile);

  util::Expected<Credentials, std::string> fetch() override;
  std::string describe() const override;

  /// Reads the command's output (exposed for tests).
  static util::Expected<Credentials, std::string> parse_output(std::string_view out);

 private:
  std::string command_;
  std::string profile_;
};

}  // namespace wc::aws
