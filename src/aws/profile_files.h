#pragma once
// The AWS CLI's shared files and how a profile is found in them; shared by the credentials
// chain and the service configuration.

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/ini_file.h"

namespace wc::aws {

/// A set, non-empty environment variable, or nullopt (the CLI treats "" as unset).
std::optional<std::string> env_value(const EnvLookup& env, std::string_view name);

/// The profile to use: `explicit_profile` (--profile), else AWS_PROFILE, else "default".
std::string selected_profile(const std::string& explicit_profile, const EnvLookup& env);

struct ProfileFiles {
  /// AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials ('~' expanded); empty when
  /// neither that variable nor HOME is set.
  std::string credentials_path;
  /// AWS_CONFIG_FILE, else $HOME/.aws/config, likewise.
  std::string config_path;
  std::optional<IniFile> credentials;  ///< nullopt when the file could not be read
  std::optional<IniFile> config;

  /// `[profile]` in the credentials file, or null.
  const IniSection* credentials_section(const std::string& profile) const;
  /// `[profile NAME]` in the config file (for "default" also plain `[default]`), or null.
  const IniSection* config_section(const std::string& profile) const;
  /// A section of the config file by its full header text (e.g. "services local"), or null.
  const IniSection* config_section_named(const std::string& header) const;
  /// "credentials file PATH" / "config file PATH", saying when it is missing: for errors.
  std::string describe_credentials_file() const;
  std::string describe_config_file() const;
};

/// Reads both files (each may be missing).
ProfileFiles load_profile_files(const EnvLookup& env);

}  // namespace wc::aws
