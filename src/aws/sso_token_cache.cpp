#include "aws/sso_token_cache.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/encoding.h"
#include "aws/iso8601.h"

namespace wc::aws {

std::string sso_token_cache_path(const std::string& home, const std::string& session_name,
                                 const std::string& start_url) {
  return home + "/.aws/sso/cache/" + sha1_hex(session_name.empty() ? start_url : session_name) +
         ".json";
}

util::Expected<SsoToken, std::string> read_sso_token(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return util::Unexpected("no cached SSO token at " + path);
  std::ostringstream content;
  content << file.rdbuf();
  nlohmann::json document = nlohmann::json::parse(content.str(), nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return util::Unexpected("the cached SSO token " + path + " is not a JSON object");
  }
  auto token = document.find("accessToken");
  auto expires = document.find("expiresAt");
  if (token == document.end() || !token->is_string() || expires == document.end() ||
      !expires->is_string()) {
    return util::Unexpected("the cached SSO token " + path + " has no accessToken or expiresAt");
  }
  auto expires_at = parse_iso8601(expires->get<std::string>());
  if (!expires_at) {
    return util::Unexpected("the cached SSO token " + path + " has an unreadable expiresAt '" +
                            expires->get<std::string>() + "'");
  }
  return SsoToken{token->get<std::string>(), *expires_at};
}

}  // namespace wc::aws
