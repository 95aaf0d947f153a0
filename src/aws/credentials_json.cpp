#include "aws/credentials_json.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "aws/iso8601.h"

namespace wc::aws {

namespace {

/// The string value of `field`; empty when it is absent, null or not a string.
std::string text_of(const nlohmann::json& document, std::string_view field) {
  auto found = document.find(field);
  if (found == document.end() || !found->is_string()) return {};
  return found->get<std::string>();
}

}  // namespace

util::Expected<Credentials, std::string> parse_credentials_json(std::string_view body,
                                                                const CredentialsJsonRules& rules) {
  nlohmann::json document = nlohmann::json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return util::Unexpected(std::string("the answer is not a JSON object"));
  }
  const std::string code = text_of(document, "Code");
  if (!code.empty() && code != "Success") {
    return util::Unexpected(fmt::format("{}: {}", code, text_of(document, "Message")));
  }
  Credentials credentials{text_of(document, "AccessKeyId"), text_of(document, "SecretAccessKey"),
                          text_of(document, rules.token_field), std::nullopt};
  std::vector<std::string_view> missing;
  if (credentials.access_key_id.empty()) missing.push_back("AccessKeyId");
  if (credentials.secret_access_key.empty()) missing.push_back("SecretAccessKey");
  if (rules.token_required && credentials.session_token.empty()) {
    missing.push_back(rules.token_field);
  }
  const std::string expiration = text_of(document, "Expiration");
  if (rules.expiration_required && expiration.empty()) missing.push_back("Expiration");
  if (!missing.empty()) {
    return util::Unexpected(fmt::format("the answer has no {}", fmt::join(missing, ", ")));
  }
  if (!expiration.empty()) {
    credentials.expiration = parse_iso8601(expiration);
    if (!credentials.expiration) {
      return util::Unexpected(
          fmt::format("the answer's Expiration '{}' is not an ISO 8601 time", expiration));
    }
  }
  return credentials;
}

}  // namespace wc::aws
