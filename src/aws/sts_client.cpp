#include "aws/sts_client.h"

#include <fmt/format.h>

#include <pugixml.hpp>

#include "aws/encoding.h"
#include "aws/iso8601.h"

namespace wc::aws {

namespace {

constexpr std::string_view k_sts_version = "2011-06-15";
constexpr std::string_view k_form_content_type = "application/x-www-form-urlencoded; charset=utf-8";
/// How much of an error body that is not STS's XML is kept in the message.
constexpr std::size_t k_max_body_excerpt = 200;

/// <ErrorResponse><Error><Code>..</Code><Message>..</Message></Error></ErrorResponse>
ServiceError parse_sts_error(const HttpResponse& response) {
  pugi::xml_document document;
  if (document.load_buffer(response.body.data(), response.body.size())) {
    pugi::xml_node error = document.document_element().child("Error");
    if (!error) error = document.document_element();  // some servers drop the wrapper
    std::string code = error.child_value("Code");
    if (!code.empty()) return ServiceError{code, error.child_value("Message")};
  }
  std::string excerpt = response.body.substr(0, k_max_body_excerpt);
  return ServiceError{fmt::format("HTTP{}", response.status), excerpt};
}

}  // namespace

util::Expected<Credentials, std::string> parse_sts_credentials(std::string_view xml,
                                                               std::string_view action) {
  pugi::xml_document document;
  if (!document.load_buffer(xml.data(), xml.size())) {
    return util::Unexpected(fmt::format("the {} answer is not XML", action));
  }
  pugi::xml_node credentials = document.child(fmt::format("{}Response", action).c_str())
                                   .child(fmt::format("{}Result", action).c_str())
                                   .child("Credentials");
  Credentials out{credentials.child_value("AccessKeyId"),
                  credentials.child_value("SecretAccessKey"),
                  credentials.child_value("SessionToken"), std::nullopt};
  const std::string expiration = credentials.child_value("Expiration");
  if (out.access_key_id.empty() || out.secret_access_key.empty() || out.session_token.empty() ||
      expiration.empty()) {
    return util::Unexpected(fmt::format(
        "the {} answer lacks AccessKeyId, SecretAccessKey, SessionToken or Expiration", action));
  }
  out.expiration = parse_iso8601(expiration);
  if (!out.expiration) {
    return util::Unexpected(
        fmt::format("the {} answer has an unreadable Expiration '{}'", action, expiration));
  }
  return out;
}

StsClient::StsClient(ServiceConfig config, std::shared_ptr<HttpTransport> transport,
                     RetryPolicy retry, RetryObserver on_retry)
    : caller_(config, std::move(transport), retry, std::move(on_retry), false),
      endpoint_(config.endpoint("sts")) {}

util::Expected<Credentials, AwsError> StsClient::assume_role(const AssumeRoleRequest& request) {
  std::vector<std::pair<std::string, std::string>> form = {
      {"RoleArn", request.role_arn}, {"RoleSessionName", request.session_name}};
  if (!request.external_id.empty()) form.emplace_back("ExternalId", request.external_id);
  if (request.duration_seconds) {
    form.emplace_back("DurationSeconds", std::to_string(*request.duration_seconds));
  }
  return call("AssumeRole", request.role_arn, std::move(form));
}

util::Expected<Credentials, AwsError> StsClient::assume_role_with_web_identity(
    const WebIdentityRequest& request) {
  std::vector<std::pair<std::string, std::string>> form = {
      {"RoleArn", request.role_arn},
      {"RoleSessionName", request.session_name},
      {"WebIdentityToken", request.token}};
  if (request.duration_seconds) {
    form.emplace_back("DurationSeconds", std::to_string(*request.duration_seconds));
  }
  return call("AssumeRoleWithWebIdentity", request.role_arn, std::move(form));
}

util::Expected<Credentials, AwsError> StsClient::call(
    const std::string& action, const std::string& role_arn,
    std::vector<std::pair<std::string, std::string>> form) {
  form.insert(form.begin(), {{"Action", action}, {"Version", std::string(k_sts_version)}});
  AwsCall call{action, "role " + role_arn, HttpRequest{}};
  call.request.method = "POST";
  call.request.endpoint = endpoint_;
  call.request.path = "/";
  call.request.headers = {{"Content-Type", std::string(k_form_content_type)}};
  call.request.body = query_string(form);
  auto response = caller_.send(call, parse_sts_error);
  if (!response) return util::Unexpected(std::move(response).error());
  auto credentials = parse_sts_credentials(response->body, action);
  if (!credentials) {
    return util::Unexpected(AwsError{.operation = action,
                                     .resource = call.resource,
                                     .http_status = response->status,
                                     .code = "MalformedResponse",
                                     .message = std::move(credentials).error()});
  }
  return std::move(*credentials);
}

}  // namespace wc::aws
