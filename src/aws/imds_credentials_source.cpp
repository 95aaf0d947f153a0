#include "aws/imds_credentials_source.h"

#include <fmt/format.h>

#include "aws/credentials_json.h"

namespace wc::aws {

namespace {

constexpr std::string_view k_credentials_path = "/latest/meta-data/iam/security-credentials/";

}  // namespace

ImdsCredentialsSource::ImdsCredentialsSource(std::unique_ptr<ImdsClient> client)
    : client_(std::move(client)) {}

util::Expected<Credentials, std::string> ImdsCredentialsSource::fetch() {
  auto roles = client_->get(k_credentials_path);
  if (!roles) return util::Unexpected(std::move(roles).error());
  // One role per instance profile; the listing is one name per line.
  std::string role = roles->substr(0, roles->find_first_of("\r\n"));
  if (role.empty()) {
    return util::Unexpected(std::string("the instance has no IAM role (instance profile)"));
  }
  auto document = client_->get(std::string(k_credentials_path) + role);
  if (!document) return util::Unexpected(std::move(document).error());
  {
    std::lock_guard lock(mutex_);
    role_ = role;
    v1_ = client_->used_v1();
  }
  auto credentials = parse_credentials_json(*document, CredentialsJsonRules{});
  if (!credentials) {
    return util::Unexpected(fmt::format("role '{}': {}", role, credentials.error()));
  }
  return credentials;
}

std::string ImdsCredentialsSource::describe() const {
  std::lock_guard lock(mutex_);
  std::string out = "EC2 instance metadata at " + client_->settings().endpoint;
  if (!role_.empty()) out += fmt::format(" (role '{}', {})", role_, v1_ ? "IMDSv1" : "IMDSv2");
  return out;
}

}  // namespace wc::aws
