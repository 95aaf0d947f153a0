#include "aws/web_identity_source.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace wc::aws {

WebIdentitySource::WebIdentitySource(WebIdentitySettings settings, std::shared_ptr<StsClient> sts)
    : settings_(std::move(settings)), sts_(std::move(sts)) {}

std::string WebIdentitySource::describe() const {
  return fmt::format(
      "web identity token {} for role {} ({}) via STS AssumeRoleWithWebIdentity "
      "at {}",
      settings_.token_file, settings_.role_arn, settings_.origin, sts_->endpoint());
}

util::Expected<Credentials, std::string> WebIdentitySource::fetch() {
  std::ifstream file(settings_.token_file, std::ios::binary);
  if (!file) {
    return util::Unexpected(fmt::format("cannot read the token file {}", settings_.token_file));
  }
  std::ostringstream content;
  content << file.rdbuf();
  std::string token = content.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();
  }
  if (token.empty()) {
    return util::Unexpected(fmt::format("the token file {} is empty", settings_.token_file));
  }
  auto credentials = sts_->assume_role_with_web_identity(WebIdentityRequest{
      settings_.role_arn, settings_.session_name, std::move(token), settings_.duration_seconds});
  if (!credentials) return util::Unexpected(credentials.error().describe());
  return std::move(*credentials);
}

}  // namespace wc::aws
