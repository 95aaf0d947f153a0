#pragma once
// AWS credentials and the chain that finds them: environment, then the shared
// credentials/config files for the selected profile.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace wc::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  ///< empty when not temporary credentials
};

/// Looks up an environment variable; tests pass a map, production passes std::getenv.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
EnvLookup process_environment();

/// Resolves credentials like the AWS CLI: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/
/// AWS_SESSION_TOKEN, then `[profile]` in AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials), then
/// `[profile NAME]` / `[default]` in AWS_CONFIG_FILE (~/.aws/config). `profile` empty means
/// AWS_PROFILE or "default"; a non-empty `profile` (an explicit --profile) skips the
/// environment keys, as the CLI does. A named profile (argument or AWS_PROFILE) that exists
/// nowhere is an error; so are partial keys and finding no credentials at all. The error names
/// where it looked and never contains a secret.
util::Expected<Credentials, std::string> resolve_credentials(const std::string& profile,
                                                             const EnvLookup& env);

}  // namespace wc::aws
