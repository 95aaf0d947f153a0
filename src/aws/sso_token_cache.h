#pragma once
// The SSO access token that `aws sso login` caches under ~/.aws/sso/cache.

#include <string>

#include "aws/credentials.h"
#include "util/expected.h"

namespace wc::aws {

/// Where the AWS CLI caches the token: {home}/.aws/sso/cache/{sha1 hex}.json, of the
/// sso-session's name when the profile uses one (`sso_session`), else of the start URL.
std::string sso_token_cache_path(const std::string& home, const std::string& session_name,
                                 const std::string& start_url);

struct SsoToken {
  std::string access_token;
  SystemTime expires_at;
};

/// Reads the cached {"accessToken": ..., "expiresAt": ...}. A missing file, unreadable JSON or a
/// missing field is an error that names the file (never the token).
util::Expected<SsoToken, std::string> read_sso_token(const std::string& path);

}  // namespace wc::aws
