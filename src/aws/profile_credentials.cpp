#include "aws/profile_credentials.h"

#include <fmt/format.h>

#include <charconv>

#include "aws/assume_role_source.h"
#include "aws/client_config.h"
#include "aws/process_credentials_source.h"
#include "aws/sso_credentials_source.h"
#include "aws/sso_token_cache.h"

namespace wc::aws {

namespace {

/// One profile as both files hold it.
class Profile {
 public:
  Profile(const ProfileFiles& files, std::string name)
      : files_(files),
        name_(std::move(name)),
        credentials_(files.credentials_section(name_)),
        config_(files.config_section(name_)) {}

  const std::string& name() const { return name_; }
  const ProfileFiles& files() const { return files_; }

  /// The setting, credentials file first; empty when absent.
  std::string get(const std::string& key) const {
    for (const IniSection* section : {credentials_, config_}) {
      if (section == nullptr) continue;
      auto found = section->find(key);
      if (found != section->end() && !found->second.empty()) return found->second;
    }
    return {};
  }
  bool has(const std::string& key) const { return !get(key).empty(); }

  const IniSection* credentials_section() const { return credentials_; }
  const IniSection* config_section() const { return config_; }

  std::string error(const std::string& what) const {
    return fmt::format("profile '{}': {}", name_, what);
  }

 private:
  const ProfileFiles& files_;
  std::string name_;
  const IniSection* credentials_;
  const IniSection* config_;
};

std::string value_of(const IniSection& section, const std::string& key) {
  auto found = section.find(key);
  return found == section.end() ? std::string() : found->second;
}

/// Static keys in one section; null when it holds neither key.
ProviderResult static_keys(const IniSection* section, const std::string& where) {
  if (section == nullptr) return std::shared_ptr<CredentialsProvider>();
  std::string key_id = value_of(*section, "aws_access_key_id");
  std::string secret = value_of(*section, "aws_secret_access_key");
  if (key_id.empty() && secret.empty()) return std::shared_ptr<CredentialsProvider>();
  if (key_id.empty() || secret.empty()) {
    return util::Unexpected(
        fmt::format("partial AWS credentials in {}: {} is missing", where,
                    key_id.empty() ? "aws_access_key_id" : "aws_secret_access_key"));
  }
  return static_credentials(
      Credentials{key_id, secret, value_of(*section, "aws_session_token"), std::nullopt}, where);
}

std::string where_credentials(const Profile& profile) {
  return "[" + profile.name() + "] of the " + profile.files().describe_credentials_file();
}

std::string where_config(const Profile& profile) {
  std::string header =
      profile.name() == "default" ? "[default]" : "[profile " + profile.name() + "]";
  return header + " of the " + profile.files().describe_config_file();
}

util::Expected<std::optional<int>, std::string> duration_of(const Profile& profile) {
  std::string text = profile.get("duration_seconds");
  if (text.empty()) return std::optional<int>();
  int seconds = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error != std::errc() || end != text.data() + text.size() || seconds <= 0) {
    return util::Unexpected(
        profile.error("duration_seconds '" + text + "' is not a positive whole number"));
  }
  return std::optional<int>(seconds);
}

/// The credentials that sign a role's AssumeRole: its source_profile or credential_source.
ProviderResult role_source(const ChainContext& context, const Profile& profile,
                           std::vector<std::string> visited) {
  const std::string source_profile = profile.get("source_profile");
  const std::string credential_source = profile.get("credential_source");
  if (!source_profile.empty() && !credential_source.empty()) {
    return util::Unexpected(profile.error("has both source_profile and credential_source"));
  }
  if (!credential_source.empty()) {
    ProviderResult source = std::shared_ptr<CredentialsProvider>();
    if (credential_source == "Environment") {
      source = environment_provider(context.env);
    } else if (credential_source == "Ec2InstanceMetadata") {
      source = instance_metadata_provider(context, false);
    } else if (credential_source == "EcsContainer") {
      source = container_provider(context, false);
    } else {
      return util::Unexpected(profile.error(fmt::format(
          "credential_source '{}' is none of Environment, Ec2InstanceMetadata, EcsContainer",
          credential_source)));
    }
    if (source && !*source) {
      return util::Unexpected(profile.error(
          fmt::format("credential_source {} provides no credentials", credential_source)));
    }
    return source;
  }
  if (source_profile.empty()) {
    return util::Unexpected(
        profile.error("role_arn needs source_profile, credential_source or "
                      "web_identity_token_file"));
  }
  if (source_profile == profile.name()) {
    // A profile naming itself uses its own static keys for the role (botocore's rule).
    auto own = static_keys(profile.credentials_section(), where_credentials(profile));
    if (own && !*own) own = static_keys(profile.config_section(), where_config(profile));
    if (own && !*own) {
      return util::Unexpected(profile.error("is its own source_profile but has no keys"));
    }
    return own;
  }
  if (profile.files().credentials_section(source_profile) == nullptr &&
      profile.files().config_section(source_profile) == nullptr) {
    return util::Unexpected(
        profile.error(fmt::format("source_profile '{}' does not exist", source_profile)));
  }
  auto source = profile_provider(context, profile.files(), source_profile, false, visited);
  if (source && !*source) {
    return util::Unexpected(
        profile.error(fmt::format("source_profile '{}' provides no credentials", source_profile)));
  }
  return source;
}

ProviderResult role_provider(const ChainContext& context, const Profile& profile, bool outermost,
                             std::vector<std::string> visited) {
  auto duration = duration_of(profile);
  if (!duration) return util::Unexpected(std::move(duration).error());
  std::string session_name = profile.get("role_session_name");
  if (session_name.empty()) session_name = default_session_name(context);
  if (profile.has("web_identity_token_file")) {
    return web_identity_provider(
        context,
        WebIdentitySettings{profile.get("role_arn"), profile.get("web_identity_token_file"),
                            session_name, *duration, "profile '" + profile.name() + "'"},
        outermost);
  }
  if (profile.has("mfa_serial")) {
    return util::Unexpected(profile.error(
        "role_arn with mfa_serial needs a code typed in at start, which a service cannot do"));
  }
  auto source = role_source(context, profile, std::move(visited));
  if (!source) return util::Unexpected(std::move(source).error());
  auto sts = make_sts_client(context, *source);
  if (!sts) return util::Unexpected(std::move(sts).error());
  AssumeRoleRequest request{profile.get("role_arn"), session_name, profile.get("external_id"),
                            *duration};
  return start_provider(context,
                        std::make_unique<AssumeRoleSource>(std::move(request), profile.name(),
                                                           std::move(*source), std::move(*sts)),
                        outermost);
}

bool uses_sso(const Profile& profile) {
  return profile.has("sso_account_id") || profile.has("sso_role_name");
}

ProviderResult sso_provider(const ChainContext& context, const Profile& profile, bool outermost) {
  SsoSettings settings{profile.name(),
                       profile.get("sso_session"),
                       profile.get("sso_start_url"),
                       profile.get("sso_region"),
                       profile.get("sso_account_id"),
                       profile.get("sso_role_name"),
                       {}};
  if (!settings.session_name.empty()) {
    const IniSection* session =
        profile.files().config_section_named("sso-session " + settings.session_name);
    if (session == nullptr) {
      return util::Unexpected(profile.error(fmt::format(
          "sso_session '{}' has no [sso-session {}] section in the {}", settings.session_name,
          settings.session_name, profile.files().describe_config_file())));
    }
    settings.start_url = value_of(*session, "sso_start_url");
    settings.sso_region = value_of(*session, "sso_region");
  }
  std::vector<std::string> missing;
  for (auto [value, key] : {std::pair{&settings.start_url, "sso_start_url"},
                            std::pair{&settings.sso_region, "sso_region"},
                            std::pair{&settings.account_id, "sso_account_id"},
                            std::pair{&settings.role_name, "sso_role_name"}}) {
    if (value->empty()) missing.emplace_back(key);
  }
  if (!missing.empty()) {
    return util::Unexpected(
        profile.error(fmt::format("uses SSO but has no {}", fmt::join(missing, ", "))));
  }
  auto home = env_value(context.env, "HOME");
  if (!home)
    return util::Unexpected(profile.error("uses SSO, but HOME (for ~/.aws/sso/cache) is not set"));
  settings.token_path = sso_token_cache_path(*home, settings.session_name, settings.start_url);
  auto portal =
      configured_endpoint("sso", AwsOptions{context.explicit_profile, "", ""}, context.env);
  if (!portal) return util::Unexpected("SSO portal: " + portal.error());
  return start_provider(context,
                        std::make_unique<SsoCredentialsSource>(
                            std::move(settings), std::move(*portal), context.network.services,
                            context.renewal.clock, context.retry, context.on_retry),
                        outermost);
}

}  // namespace

ProviderResult profile_provider(const ChainContext& context, const ProfileFiles& files,
                                const std::string& name, bool outermost,
                                std::vector<std::string> visited) {
  for (const std::string& seen : visited) {
    if (seen == name) {
      visited.push_back(name);
      return util::Unexpected(fmt::format("source_profile loop: {}", fmt::join(visited, " -> ")));
    }
  }
  visited.push_back(name);
  const Profile profile(files, name);
  if (profile.has("role_arn")) return role_provider(context, profile, outermost, visited);
  if (uses_sso(profile)) return sso_provider(context, profile, outermost);
  auto keys = static_keys(profile.credentials_section(), where_credentials(profile));
  if (!keys || *keys) return keys;
  if (std::string command = profile.get("credential_process"); !command.empty()) {
    return start_provider(context, std::make_unique<ProcessCredentialsSource>(command, name),
                          outermost);
  }
  return static_keys(profile.config_section(), where_config(profile));
}

}  // namespace wc::aws
