#include "aws/client_config.h"

#include <fmt/format.h>

#include <algorithm>

#include "aws/ascii.h"
#include "aws/profile_files.h"
#include "aws/url.h"

namespace wc::aws {

namespace {

/// A setting and where it came from, so that an error can say which source to fix.
struct Sourced {
  std::string value;
  std::string source;
};

std::optional<Sourced> from_env(const EnvLookup& env, const std::string& name) {
  if (auto value = env_value(env, name)) return Sourced{*value, name};
  return std::nullopt;
}

std::optional<Sourced> from_section(const IniSection* section, const std::string& key,
                                    const std::string& where) {
  if (section == nullptr) return std::nullopt;
  auto found = section->find(key);
  if (found == section->end() || found->second.empty()) return std::nullopt;
  return Sourced{found->second, "'" + key + "' in " + where};
}

/// "dynamodb" -> "DYNAMODB", as in AWS_ENDPOINT_URL_DYNAMODB.
std::string env_suffix(const std::string& service) {
  std::string out = service;
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return c == '-' || c == ' ' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  });
  return out;
}

util::Expected<std::string, std::string> valid_region(const Sourced& region) {
  bool ok = !region.value.empty() &&
            std::all_of(region.value.begin(), region.value.end(), [](unsigned char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            });
  if (!ok) {
    return util::Unexpected("invalid AWS region '" + region.value + "' (from " + region.source +
                            "): expected something like us-east-1");
  }
  return region.value;
}

/// scheme://host[:port]: the rule of --endpoint-url (parse_endpoint_url), for every source.
util::Expected<std::string, std::string> valid_endpoint(const Sourced& endpoint) {
  auto url = parse_endpoint_url(endpoint.value);
  if (!url) {
    return util::Unexpected("invalid endpoint URL from " + endpoint.source + ": " + url.error());
  }
  return url;
}

/// Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
std::optional<Sourced> choose_region(const AwsOptions& options, const EnvLookup& env,
                                     const IniSection* profile, const std::string& where) {
  if (!options.region.empty()) return Sourced{options.region, "--region"};
  for (const auto& candidate : {from_env(env, "AWS_REGION"), from_env(env, "AWS_DEFAULT_REGION"),
                                from_section(profile, "region", where)}) {
    if (candidate) return candidate;
  }
  return std::nullopt;
}

/// Endpoint: --endpoint-url, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the service's entry
/// in the profile's `services` section, the profile's endpoint_url. As in the CLI,
/// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the profile's ignore_configured_endpoint_urls)
/// leaves only the command-line flag.
std::optional<Sourced> choose_endpoint(const std::string& service, const AwsOptions& options,
                                       const EnvLookup& env, const ProfileFiles& files,
                                       const IniSection* profile, const std::string& where) {
  if (!options.endpoint_url.empty()) return Sourced{options.endpoint_url, "--endpoint-url"};
  auto ignore_setting = from_section(profile, "ignore_configured_endpoint_urls", where);
  if (is_true(env_value(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or("")) ||
      (ignore_setting && is_true(ignore_setting->value))) {
    return std::nullopt;
  }
  if (auto found = from_env(env, "AWS_ENDPOINT_URL_" + env_suffix(service))) return found;
  if (auto found = from_env(env, "AWS_ENDPOINT_URL")) return found;
  if (auto services = from_section(profile, "services", where)) {
    std::string header = "services " + services->value;
    if (auto found = from_section(files.config_section_named(header), service + ".endpoint_url",
                                  "[" + header + "] of the " + files.describe_config_file())) {
      return found;
    }
  }
  return from_section(profile, "endpoint_url", where);
}

}  // namespace

std::string ServiceConfig::endpoint(std::string_view host_prefix) const {
  if (!custom_endpoint()) return aws_endpoint(host_prefix, region);
  std::string_view url = endpoint_url;
  while (url.ends_with('/')) url.remove_suffix(1);
  return std::string(url);
}

std::string aws_endpoint(std::string_view host_prefix, std::string_view region) {
  const std::string_view domain = region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return fmt::format("https://{}.{}.{}", host_prefix, region, domain);
}

util::Expected<std::optional<RegionChoice>, std::string> configured_region(
    const AwsOptions& options, const EnvLookup& env) {
  const ProfileFiles files = load_profile_files(env);
  const std::string name = selected_profile(options.profile, env);
  const std::string where = "profile '" + name + "' of the " + files.describe_config_file();
  auto chosen = choose_region(options, env, files.config_section(name), where);
  if (!chosen) return std::optional<RegionChoice>();
  auto region = valid_region(*chosen);
  if (!region) return util::Unexpected(std::move(region).error());
  return std::optional<RegionChoice>(RegionChoice{std::move(*region), chosen->source});
}

util::Expected<std::string, std::string> configured_endpoint(const std::string& service,
                                                             const AwsOptions& options,
                                                             const EnvLookup& env) {
  const ProfileFiles files = load_profile_files(env);
  const std::string name = selected_profile(options.profile, env);
  const IniSection* profile = files.config_section(name);
  const std::string where = "profile '" + name + "' of the " + files.describe_config_file();
  auto endpoint = choose_endpoint(service, options, env, files, profile, where);
  if (!endpoint) return std::string();
  return valid_endpoint(*endpoint);
}

}  // namespace wc::aws
