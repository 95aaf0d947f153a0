#include "aws/sso_credentials_source.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "aws/client_config.h"
#include "aws/iso8601.h"
#include "aws/sso_token_cache.h"

namespace wc::aws {

namespace {

constexpr std::size_t k_max_body_excerpt = 200;

std::string portal_endpoint(const std::string& custom, const std::string& sso_region) {
  if (!custom.empty()) return custom;
  return aws_endpoint("portal.sso", sso_region);
}

/// The portal says what went wrong in x-amzn-ErrorType ("UnauthorizedException:http://...")
/// and a JSON {"message": ...}.
ServiceError parse_portal_error(const HttpResponse& response) {
  std::string code(response.header("x-amzn-ErrorType"));
  code = code.substr(0, code.find(':'));
  std::string message;
  nlohmann::json document = nlohmann::json::parse(response.body, nullptr, false);
  if (!document.is_discarded() && document.is_object()) {
    for (const char* field : {"message", "Message"}) {
      if (auto found = document.find(field); found != document.end() && found->is_string()) {
        message = found->get<std::string>();
      }
    }
    if (auto type = document.find("__type");
        code.empty() && type != document.end() && type->is_string()) {
      code = type->get<std::string>();
    }
  } else {
    message = response.body.substr(0, k_max_body_excerpt);
  }
  if (code.empty()) code = fmt::format("HTTP{}", response.status);
  return ServiceError{code, message};
}

}  // namespace

SsoCredentialsSource::SsoCredentialsSource(SsoSettings settings, std::string portal,
                                           std::shared_ptr<HttpTransport> transport,
                                           SystemClock clock, RetryPolicy retry,
                                           RetryObserver on_retry)
    : settings_(std::move(settings)),
      portal_(portal_endpoint(portal, settings_.sso_region)),
      caller_(ServiceConfig{"sso", settings_.sso_region, portal_, nullptr}, std::move(transport),
              retry, std::move(on_retry), false),
      clock_(std::move(clock)) {}

std::string SsoCredentialsSource::describe() const {
  return fmt::format("SSO role '{}' in account {} (profile '{}', start URL {})",
                     settings_.role_name, settings_.account_id, settings_.profile,
                     settings_.start_url);
}

std::string SsoCredentialsSource::login_hint() const {
  return settings_.session_name.empty()
             ? fmt::format("run `aws sso login --profile {}`", settings_.profile)
             : fmt::format("run `aws sso login --sso-session {}`", settings_.session_name);
}

util::Expected<Credentials, std::string> SsoCredentialsSource::fetch() {
  auto token = read_sso_token(settings_.token_path);
  if (!token) return util::Unexpected(fmt::format("{}; {}", token.error(), login_hint()));
  if (clock_() >= token->expires_at) {
    return util::Unexpected(fmt::format("the SSO session expired at {}; {}",
                                        format_iso8601(token->expires_at), login_hint()));
  }
  AwsCall call{"GetRoleCredentials", "SSO portal " + portal_, HttpRequest{}};
  call.request.endpoint = portal_;
  call.request.path = "/federation/credentials";
  call.request.query = {{"account_id", settings_.account_id}, {"role_name", settings_.role_name}};
  call.request.headers = {{"x-amz-sso_bearer_token", token->access_token}};
  auto response = caller_.send(call, parse_portal_error);
  if (!response) {
    const AwsError& error = response.error();
    std::string cause = error.describe();
    if (error.http_status == 401 || error.code == "UnauthorizedException") {
      cause += "; the SSO token was refused: " + login_hint();
    }
    return util::Unexpected(std::move(cause));
  }
  return parse_role_credentials(response->body);
}

util::Expected<Credentials, std::string> SsoCredentialsSource::parse_role_credentials(
    std::string_view body) {
  nlohmann::json document = nlohmann::json::parse(body, nullptr, false);
  const nlohmann::json* role = nullptr;
  if (!document.is_discarded() && document.is_object()) {
    if (auto found = document.find("roleCredentials");
        found != document.end() && found->is_object()) {
      role = &*found;
    }
  }
  if (role == nullptr) {
    return util::Unexpected(std::string("the GetRoleCredentials answer has no roleCredentials"));
  }
  auto text = [&](const char* field) {
    auto found = role->find(field);
    return found != role->end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  Credentials credentials{text("accessKeyId"), text("secretAccessKey"), text("sessionToken"),
                          std::nullopt};
  auto expiration = role->find("expiration");
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty() ||
      credentials.session_token.empty() || expiration == role->end() || !expiration->is_number()) {
    return util::Unexpected(std::string(
        "the GetRoleCredentials answer lacks accessKeyId, secretAccessKey, sessionToken or "
        "expiration"));
  }
  // Milliseconds since the epoch.
  credentials.expiration = SystemTime(std::chrono::milliseconds(expiration->get<long long>()));
  return credentials;
}

}  // namespace wc::aws
