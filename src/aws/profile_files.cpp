#include "aws/profile_files.h"

namespace wc::aws {

namespace {

std::string file_path(const EnvLookup& env, std::string_view variable, std::string_view name) {
  std::optional<std::string> home = env_value(env, "HOME");
  if (std::optional<std::string> path = env_value(env, variable)) {
    if (home && (*path == "~" || path->starts_with("~/"))) return *home + path->substr(1);
    return *path;
  }
  return home ? *home + "/.aws/" + std::string(name) : std::string();
}

std::string describe(std::string_view kind, const std::string& path, bool readable) {
  if (path.empty()) return std::string(kind) + " file (no path: HOME is not set)";
  return std::string(kind) + " file " + path + (readable ? "" : " (not found)");
}

}  // namespace

std::optional<std::string> env_value(const EnvLookup& env, std::string_view name) {
  std::optional<std::string> value = env(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

std::string selected_profile(const std::string& explicit_profile, const EnvLookup& env) {
  if (!explicit_profile.empty()) return explicit_profile;
  return env_value(env, "AWS_PROFILE").value_or("default");
}

const IniSection* ProfileFiles::credentials_section(const std::string& profile) const {
  return credentials ? credentials->section(profile) : nullptr;
}

const IniSection* ProfileFiles::config_section(const std::string& profile) const {
  if (!config) return nullptr;
  const IniSection* section = config->section("profile " + profile);
  if (section == nullptr && profile == "default") section = config->section("default");
  return section;
}

const IniSection* ProfileFiles::config_section_named(const std::string& header) const {
  return config ? config->section(header) : nullptr;
}

std::string ProfileFiles::describe_credentials_file() const {
  return describe("credentials", credentials_path, credentials.has_value());
}

std::string ProfileFiles::describe_config_file() const {
  return describe("config", config_path, config.has_value());
}

ProfileFiles load_profile_files(const EnvLookup& env) {
  ProfileFiles files;
  files.credentials_path = file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  files.config_path = file_path(env, "AWS_CONFIG_FILE", "config");
  if (!files.credentials_path.empty()) files.credentials = read_ini_file(files.credentials_path);
  if (!files.config_path.empty()) files.config = read_ini_file(files.config_path);
  return files;
}

}  // namespace wc::aws
