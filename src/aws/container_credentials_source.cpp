#include "aws/container_credentials_source.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <array>
#include <fstream>
#include <sstream>
#include <thread>

#include "aws/ascii.h"
#include "aws/credentials_json.h"
#include "aws/profile_files.h"
#include "aws/url.h"

namespace wc::aws {

namespace {

constexpr std::string_view k_relative_uri = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
constexpr std::string_view k_full_uri = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
constexpr std::string_view k_token = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
constexpr std::string_view k_token_file = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
constexpr std::string_view k_ecs_agent = "http://169.254.170.2";
/// Hosts plain http may name besides loopback addresses: botocore's _ALLOWED_HOSTS.
constexpr std::array<std::string_view, 4> k_agent_hosts = {"169.254.170.2", "169.254.170.23",
                                                           "fd00:ec2::23", "localhost"};
constexpr std::size_t k_max_body_excerpt = 200;

bool is_loopback_address(std::string host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string unbracketed(const std::string& host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

}  // namespace

util::Expected<void, std::string> container_url_allowed(const std::string& url) {
  auto parts = parse_url(url);
  if (!parts) return util::Unexpected(std::move(parts).error());
  if (parts->scheme == "https") return {};
  const std::string host = unbracketed(parts->host);
  for (std::string_view allowed : k_agent_hosts) {
    if (host == allowed) return {};
  }
  if (is_loopback_address(parts->host)) return {};
  return util::Unexpected(fmt::format(
      "'{}' may not be used over plain http: only https, a loopback address or one of {} are "
      "allowed",
      url, fmt::join(k_agent_hosts, ", ")));
}

util::Expected<std::optional<std::string>, std::string> container_credentials_url(
    const EnvLookup& env) {
  if (auto relative = env_value(env, k_relative_uri)) {
    std::string url =
        std::string(k_ecs_agent) + (relative->starts_with('/') ? "" : "/") + *relative;
    auto parts = parse_url(url);
    if (!parts) return util::Unexpected(fmt::format("{}: {}", k_relative_uri, parts.error()));
    return std::optional<std::string>(std::move(url));
  }
  if (auto full = env_value(env, k_full_uri)) {
    auto allowed = container_url_allowed(*full);
    if (!allowed) return util::Unexpected(fmt::format("{}: {}", k_full_uri, allowed.error()));
    return std::optional<std::string>(*full);
  }
  return std::optional<std::string>();
}

ContainerCredentialsSource::ContainerCredentialsSource(std::string url, EnvLookup env,
                                                       std::shared_ptr<HttpTransport> transport,
                                                       ContainerFetchOptions options)
    : url_(std::move(url)),
      env_(std::move(env)),
      transport_(std::move(transport)),
      options_(options) {}

std::string ContainerCredentialsSource::describe() const {
  return "container credentials from " + url_;
}

util::Expected<std::string, std::string> ContainerCredentialsSource::authorization() const {
  std::string token;
  if (auto path = env_value(env_, k_token_file)) {
    std::ifstream file(*path, std::ios::binary);
    if (!file) {
      return util::Unexpected(
          fmt::format("cannot read the authorization token file {} ({})", *path, k_token_file));
    }
    std::ostringstream content;
    content << file.rdbuf();
    token = trim(content.str());
  } else if (auto value = env_value(env_, k_token)) {
    token = trim(*value);
  }
  if (token.find_first_of("\r\n") != std::string::npos) {
    return util::Unexpected(std::string("the authorization token holds a line break"));
  }
  return token;
}

util::Expected<Credentials, std::string> ContainerCredentialsSource::fetch() {
  auto parts = parse_url(url_);
  if (!parts) return util::Unexpected(std::move(parts).error());
  auto token = authorization();
  if (!token) return util::Unexpected(std::move(token).error());
  HttpRequest request;
  request.endpoint = parts->endpoint();
  request.path = parts->path_and_query();
  request.headers = {{"Accept", "application/json"}};
  if (!token->empty()) request.headers.emplace_back("Authorization", *token);
  util::Expected<Credentials, std::string> result = util::Unexpected(std::string());
  for (int attempt = 1; attempt <= std::max(1, options_.attempts); ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(options_.retry_delay);
    result = fetch_once(request);
    if (result) return result;
  }
  return util::Unexpected(
      fmt::format("{} (after {} attempts)", result.error(), std::max(1, options_.attempts)));
}

util::Expected<Credentials, std::string> ContainerCredentialsSource::fetch_once(
    const HttpRequest& request) {
  auto response = transport_->send(request);
  if (!response) return util::Unexpected(response.error().message);
  if (response->status != 200) {
    return util::Unexpected(
        fmt::format("HTTP {}: {}", response->status,
                    trim(std::string_view(response->body).substr(0, k_max_body_excerpt))));
  }
  return parse_credentials_json(response->body, CredentialsJsonRules{});
}

}  // namespace wc::aws
