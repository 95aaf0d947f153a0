#pragma once
// The INI dialect of the AWS CLI's shared files (~/.aws/credentials, ~/.aws/config).

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace wc::aws {

/// Keys (lower-cased, as the CLI's parser does) to values (trimmed).
using IniSection = std::map<std::string, std::string>;

struct IniFile {
  /// By the name between the brackets, trimmed; a repeated section adds to the first.
  std::map<std::string, IniSection> sections;

  /// The section with this name, or null.
  const IniSection* section(const std::string& name) const;
};

/// Parses `[section]` headers and `key = value` (or `key: value`) lines. Lines whose first
/// non-blank character is '#' or ';' are comments; there are no inline comments, so a '#'
/// inside a value is kept. An indented line continues the previous key: after a key with an
/// empty value it is a nested `sub = value` stored as "key.sub" (the config file's
/// `s3 =\n  endpoint_url = ...` form); otherwise it is appended to the value after a newline.
/// Anything else that is not a key/value line is ignored, as are keys before any section.
IniFile parse_ini(std::string_view text);

/// Reads and parses a file; nullopt when it cannot be opened (typically: it does not exist).
std::optional<IniFile> read_ini_file(const std::string& path);

}  // namespace wc::aws
