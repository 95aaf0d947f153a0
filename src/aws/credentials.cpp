#include "aws/credentials.h"

#include <array>
#include <cstdlib>

#include "aws/profile_files.h"

namespace wc::aws {

namespace {

using CredentialsResult = util::Expected<Credentials, std::string>;

constexpr std::string_view k_key_id = "aws_access_key_id";
constexpr std::string_view k_secret = "aws_secret_access_key";
constexpr std::string_view k_token = "aws_session_token";

/// Profile settings for credential sources we do not implement; naming them beats a bare
/// "no credentials" when a user's profile relies on one.
constexpr std::array<std::string_view, 5> k_unsupported_sources = {
    "role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file"};

std::string value_of(const IniSection& section, std::string_view key) {
  auto found = section.find(std::string(key));
  return found == section.end() ? std::string() : found->second;
}

/// Credentials from the environment: nullopt when neither key variable is set.
std::optional<CredentialsResult> from_environment(const EnvLookup& env) {
  std::optional<std::string> key_id = env_value(env, "AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = env_value(env, "AWS_SECRET_ACCESS_KEY");
  if (!key_id && !secret) return std::nullopt;
  if (!key_id || !secret) {
    return CredentialsResult(
        util::Unexpected(std::string("partial AWS credentials in the environment: ") +
                         (key_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is not set"));
  }
  return CredentialsResult(
      Credentials{*key_id, *secret, env_value(env, "AWS_SESSION_TOKEN").value_or("")});
}

/// Credentials from one profile section: nullopt when it holds neither key.
std::optional<CredentialsResult> from_section(const IniSection* section, const std::string& where) {
  if (section == nullptr) return std::nullopt;
  std::string key_id = value_of(*section, k_key_id);
  std::string secret = value_of(*section, k_secret);
  if (key_id.empty() && secret.empty()) return std::nullopt;
  if (key_id.empty() || secret.empty()) {
    return CredentialsResult(util::Unexpected("partial AWS credentials in " + where + ": " +
                                              std::string(key_id.empty() ? k_key_id : k_secret) +
                                              " is missing"));
  }
  return CredentialsResult(Credentials{key_id, secret, value_of(*section, k_token)});
}

std::string unsupported_source_hint(const ProfileFiles& files, const std::string& profile) {
  for (const IniSection* section :
       {files.credentials_section(profile), files.config_section(profile)}) {
    if (section == nullptr) continue;
    for (std::string_view setting : k_unsupported_sources) {
      if (section->contains(std::string(setting))) {
        return "; the profile uses '" + std::string(setting) +
               "', which this program does not support (export static keys instead)";
      }
    }
  }
  return "";
}

std::string where_credentials(const ProfileFiles& files, const std::string& profile) {
  return "[" + profile + "] of the " + files.describe_credentials_file();
}

std::string where_config(const ProfileFiles& files, const std::string& profile) {
  std::string header = profile == "default" ? "[default]" : "[profile " + profile + "]";
  return header + " of the " + files.describe_config_file();
}

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

util::Expected<Credentials, std::string> resolve_credentials(const std::string& profile,
                                                             const EnvLookup& env) {
  const std::string name = selected_profile(profile, env);
  const bool named = !profile.empty() || env_value(env, "AWS_PROFILE").has_value();
  const ProfileFiles files = load_profile_files(env);
  if (named && files.credentials_section(name) == nullptr &&
      files.config_section(name) == nullptr) {
    return util::Unexpected("AWS profile '" + name + "' not found in the " +
                            files.describe_credentials_file() + " or the " +
                            files.describe_config_file());
  }
  // Like the CLI, an explicit --profile means that profile's keys, even if the environment
  // has others; AWS_PROFILE alone does not outrank AWS_ACCESS_KEY_ID.
  if (profile.empty()) {
    if (auto found = from_environment(env)) return std::move(*found);
  }
  if (auto found = from_section(files.credentials_section(name), where_credentials(files, name))) {
    return std::move(*found);
  }
  if (auto found = from_section(files.config_section(name), where_config(files, name))) {
    return std::move(*found);
  }
  std::string looked = profile.empty() ? "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, " : "";
  return util::Unexpected("no AWS credentials found for profile '" + name + "': looked in " +
                          looked + where_credentials(files, name) + " and " +
                          where_config(files, name) + unsupported_source_hint(files, name));
}

}  // namespace wc::aws
