#include "aws/imds_client.h"

#include <fmt/format.h>

#include <charconv>

#include "aws/ascii.h"
#include "aws/profile_files.h"
#include "aws/url.h"

namespace wc::aws {

namespace {

constexpr std::string_view k_ipv4_endpoint = "http://169.254.169.254";
constexpr std::string_view k_ipv6_endpoint = "http://[fd00:ec2::254]";
constexpr std::string_view k_token_path = "/latest/api/token";
constexpr std::string_view k_token_ttl = "21600";  // seconds, as the SDKs ask
constexpr std::size_t k_max_body_excerpt = 200;

/// An environment variable, else a profile setting: the value and its name for messages.
std::optional<std::pair<std::string, std::string>> setting(const EnvLookup& env,
                                                           std::string_view variable,
                                                           const IniSection* profile,
                                                           const std::string& key) {
  if (auto value = env_value(env, variable)) return std::pair{*value, std::string(variable)};
  if (profile != nullptr) {
    auto found = profile->find(key);
    if (found != profile->end() && !found->second.empty()) {
      return std::pair{found->second, "'" + key + "' in the config file"};
    }
  }
  return std::nullopt;
}

util::Expected<double, std::string> positive_number(
    const std::pair<std::string, std::string>& value) {
  double number = 0;
  auto [end, error] =
      std::from_chars(value.first.data(), value.first.data() + value.first.size(), number);
  if (error != std::errc() || end != value.first.data() + value.first.size() || number <= 0) {
    return util::Unexpected(
        fmt::format("{} is '{}', not a positive number", value.second, value.first));
  }
  return number;
}

}  // namespace

util::Expected<ImdsSettings, std::string> imds_settings(const EnvLookup& env,
                                                        const IniSection* profile) {
  ImdsSettings settings;
  const auto disabled = setting(env, "AWS_EC2_METADATA_DISABLED", nullptr, "");
  const auto v1_disabled =
      setting(env, "AWS_EC2_METADATA_V1_DISABLED", profile, "ec2_metadata_v1_disabled");
  settings.disabled = disabled && is_true(disabled->first);
  settings.v1_disabled = v1_disabled && is_true(v1_disabled->first);
  if (auto endpoint = setting(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT", profile,
                              "ec2_metadata_service_endpoint")) {
    auto parts = parse_url(endpoint->first);
    if (!parts) return util::Unexpected(fmt::format("{}: {}", endpoint->second, parts.error()));
    settings.endpoint = parts->endpoint();
  } else if (auto mode = setting(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", profile,
                                 "ec2_metadata_service_endpoint_mode")) {
    if (mode->first == "IPv6" || mode->first == "ipv6") {
      settings.endpoint = k_ipv6_endpoint;
    } else if (mode->first != "IPv4" && mode->first != "ipv4") {
      return util::Unexpected(
          fmt::format("{} is '{}'; expected IPv4 or IPv6", mode->second, mode->first));
    }
  } else {
    settings.endpoint = k_ipv4_endpoint;
  }
  if (auto timeout =
          setting(env, "AWS_METADATA_SERVICE_TIMEOUT", profile, "metadata_service_timeout")) {
    auto seconds = positive_number(*timeout);
    if (!seconds) return util::Unexpected(std::move(seconds).error());
    settings.timeout = std::chrono::milliseconds(static_cast<long long>(*seconds * 1000));
  }
  if (auto attempts = setting(env, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", profile,
                              "metadata_service_num_attempts")) {
    auto count = positive_number(*attempts);
    if (!count) return util::Unexpected(std::move(count).error());
    settings.attempts = static_cast<int>(*count);
  }
  return settings;
}

ImdsClient::ImdsClient(ImdsSettings settings, std::shared_ptr<HttpTransport> transport)
    : settings_(std::move(settings)), transport_(std::move(transport)) {}

util::Expected<HttpResponse, std::string> ImdsClient::send(const HttpRequest& request) {
  std::string failure;
  for (int attempt = 1; attempt <= std::max(1, settings_.attempts); ++attempt) {
    auto response = transport_->send(request);
    if (!response) {
      failure = response.error().message;
      continue;
    }
    // Only a server error is worth asking again; any other answer is the answer.
    if (response->status < 500) return std::move(*response);
    failure = fmt::format("HTTP {} from {}{}", response->status, request.endpoint, request.path);
  }
  return util::Unexpected(std::move(failure));
}

util::Expected<std::string, std::string> ImdsClient::token() {
  HttpRequest request;
  request.method = "PUT";
  request.endpoint = settings_.endpoint;
  request.path = std::string(k_token_path);
  request.headers = {{"x-aws-ec2-metadata-token-ttl-seconds", std::string(k_token_ttl)}};
  auto response = send(request);
  if (!response) return util::Unexpected(std::move(response).error());
  if (response->status == 200 && !response->body.empty()) return std::move(response->body);
  if (response->status == 403 || response->status == 404 || response->status == 405) {
    if (!settings_.v1_disabled) return std::string();
    return util::Unexpected(
        fmt::format("the IMDSv2 token request was refused (HTTP {}) and IMDSv1 is disabled "
                    "(AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled)",
                    response->status));
  }
  return util::Unexpected(
      fmt::format("the IMDSv2 token request failed with HTTP {}", response->status));
}

util::Expected<std::string, std::string> ImdsClient::get(std::string_view path) {
  if (settings_.disabled) {
    return util::Unexpected(std::string("disabled by AWS_EC2_METADATA_DISABLED"));
  }
  auto session = token();
  if (!session) return util::Unexpected(std::move(session).error());
  HttpRequest request;
  request.endpoint = settings_.endpoint;
  request.path = std::string(path);
  if (!session->empty()) request.headers = {{"x-aws-ec2-metadata-token", *session}};
  used_v1_ = session->empty();
  auto response = send(request);
  if (!response) return util::Unexpected(std::move(response).error());
  if (response->status != 200) {
    return util::Unexpected(fmt::format("HTTP {} for {}: {}", response->status, path,
                                        response->body.substr(0, k_max_body_excerpt)));
  }
  if (response->body.empty()) return util::Unexpected(fmt::format("{} is empty", path));
  return std::move(response->body);
}

util::Expected<std::string, std::string> imds_region(ImdsClient& client) {
  auto region = client.get("/latest/meta-data/placement/region");
  if (!region) return region;
  while (!region->empty() &&
         (region->back() == '\n' || region->back() == '\r' || region->back() == ' ')) {
    region->pop_back();
  }
  return region;
}

}  // namespace wc::aws
