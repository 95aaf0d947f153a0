#include "aws/process_credentials_source.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "aws/child_process.h"
#include "aws/credentials_json.h"

namespace wc::aws {

namespace {

/// A command that hangs must not hang the consumer's start or its renewals for ever.
constexpr std::chrono::seconds k_process_timeout{60};
/// The Java SDK's default limit on what the command may print.
constexpr std::size_t k_max_output = 64'000;
constexpr std::size_t k_max_stderr_excerpt = 300;

std::string first_lines(std::string text) {
  text = text.substr(0, k_max_stderr_excerpt);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

ProcessCredentialsSource::ProcessCredentialsSource(std::string command, std::string profile)
    : command_(std::move(command)), profile_(std::move(profile)) {}

std::string ProcessCredentialsSource::describe() const {
  return fmt::format("credential_process of profile '{}'", profile_);
}

util::Expected<Credentials, std::string> ProcessCredentialsSource::fetch() {
  auto ran = run_command(command_, k_process_timeout, k_max_output);
  if (!ran) return util::Unexpected("the command failed: " + ran.error());
  if (ran->exit_status != 0) {
    std::string err = first_lines(ran->err);
    return util::Unexpected(fmt::format("the command exited with status {}{}{}", ran->exit_status,
                                        err.empty() ? "" : ": ", err));
  }
  return parse_output(ran->out);
}

util::Expected<Credentials, std::string> ProcessCredentialsSource::parse_output(
    std::string_view out) {
  nlohmann::json document = nlohmann::json::parse(out, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return util::Unexpected(std::string("the command's output is not a JSON object"));
  }
  auto version = document.find("Version");
  if (version == document.end() || !version->is_number_integer() || version->get<int>() != 1) {
    return util::Unexpected(
        std::string("the command's output has no \"Version\": 1 (the only version there is)"));
  }
  CredentialsJsonRules rules;
  rules.token_field = "SessionToken";
  rules.token_required = false;
  rules.expiration_required = false;
  auto credentials = parse_credentials_json(out, rules);
  if (!credentials) {
    return util::Unexpected("the command's output: " + credentials.error());
  }
  return credentials;
}

}  // namespace wc::aws
