#include "aws/credential_providers.h"

#include <fmt/format.h>

#include "aws/client_config.h"
#include "aws/curl_transport.h"
#include "aws/imds_client.h"
#include "aws/imds_credentials_source.h"
#include "aws/profile_files.h"

namespace wc::aws {

namespace {

/// The container agent answers from the same host; botocore waits 2 s.
constexpr std::chrono::milliseconds k_container_timeout{2000};

std::shared_ptr<HttpTransport> short_transport(std::chrono::milliseconds timeout) {
  CurlTransportOptions options;
  options.connect_timeout = timeout;
  options.total_timeout = timeout;
  options.max_idle_handles = 1;
  return std::make_shared<CurlTransport>(options);
}

/// AWS_ACCESS_KEY_ID, else the Java SDK's name; with the variable it came from.
std::optional<std::pair<std::string, std::string_view>> first_set(const EnvLookup& env,
                                                                  std::string_view name,
                                                                  std::string_view java_name) {
  if (auto value = env_value(env, name)) return std::pair{*value, name};
  if (auto value = env_value(env, java_name)) return std::pair{*value, java_name};
  return std::nullopt;
}

}  // namespace

CredentialsNetwork default_credentials_network(std::chrono::milliseconds metadata_timeout) {
  CurlTransportOptions services;
  services.max_idle_handles = 2;
  return CredentialsNetwork{std::make_shared<CurlTransport>(services),
                            short_transport(k_container_timeout),
                            short_transport(metadata_timeout)};
}

ProviderResult start_provider(const ChainContext& context, std::unique_ptr<CredentialSource> source,
                              bool outermost) {
  RenewalOptions options = context.renewal;
  options.background = outermost && context.renewal.background;
  return RenewingCredentialsProvider::start(std::move(source), std::move(options));
}

ProviderResult environment_provider(const EnvLookup& env) {
  auto key_id = first_set(env, "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY");
  auto secret = first_set(env, "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY");
  if (!key_id && !secret) return std::shared_ptr<CredentialsProvider>();
  if (!key_id || !secret) {
    return util::Unexpected(
        fmt::format("partial AWS credentials in the environment: {} is set but {} is not",
                    key_id ? key_id->second : secret->second,
                    key_id ? "AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY)"
                           : "AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY)"));
  }
  std::string description =
      fmt::format("environment variables {} and {}", key_id->second, secret->second);
  if (key_id->second == "AWS_ACCESS_KEY" || secret->second == "AWS_SECRET_KEY") {
    description += " (the Java SDK's names)";
  }
  return static_credentials(
      Credentials{key_id->first, secret->first, env_value(env, "AWS_SESSION_TOKEN").value_or(""),
                  std::nullopt},
      std::move(description));
}

util::Expected<std::shared_ptr<StsClient>, std::string> make_sts_client(
    const ChainContext& context, std::shared_ptr<CredentialsProvider> credentials) {
  // --endpoint-url names the data services' endpoint, as in the CLI; STS has its own settings.
  auto endpoint =
      configured_endpoint("sts", AwsOptions{context.explicit_profile, "", ""}, context.env);
  if (!endpoint) return util::Unexpected("STS: " + endpoint.error());
  ServiceConfig config{"sts", context.region, std::move(*endpoint), std::move(credentials)};
  return std::make_shared<StsClient>(std::move(config), context.network.services, context.retry,
                                     context.on_retry);
}

std::string default_session_name(const ChainContext& context) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(context.renewal.clock().time_since_epoch());
  return fmt::format("widget-consumer-{}", seconds.count());
}

ProviderResult web_identity_provider(const ChainContext& context, WebIdentitySettings settings,
                                     bool outermost) {
  auto sts = make_sts_client(context, nullptr);
  if (!sts) return util::Unexpected(std::move(sts).error());
  if (settings.session_name.empty()) settings.session_name = default_session_name(context);
  return start_provider(context,
                        std::make_unique<WebIdentitySource>(std::move(settings), std::move(*sts)),
                        outermost);
}

ProviderResult environment_web_identity_provider(const ChainContext& context, bool outermost) {
  auto token_file = env_value(context.env, "AWS_WEB_IDENTITY_TOKEN_FILE");
  if (!token_file) return std::shared_ptr<CredentialsProvider>();
  auto role_arn = env_value(context.env, "AWS_ROLE_ARN");
  if (!role_arn) {
    return util::Unexpected(
        std::string("web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"));
  }
  return web_identity_provider(
      context,
      WebIdentitySettings{*role_arn, *token_file,
                          env_value(context.env, "AWS_ROLE_SESSION_NAME").value_or(""),
                          std::nullopt, "AWS_WEB_IDENTITY_TOKEN_FILE"},
      outermost);
}

ProviderResult container_provider(const ChainContext& context, bool outermost) {
  auto url = container_credentials_url(context.env);
  if (!url) return util::Unexpected("container credentials: " + url.error());
  if (!*url) return std::shared_ptr<CredentialsProvider>();
  return start_provider(context,
                        std::make_unique<ContainerCredentialsSource>(
                            **url, context.env, context.network.container, context.container),
                        outermost);
}

ProviderResult instance_metadata_provider(const ChainContext& context, bool outermost) {
  const ProfileFiles files = load_profile_files(context.env);
  const IniSection* profile =
      files.config_section(selected_profile(context.explicit_profile, context.env));
  auto settings = imds_settings(context.env, profile);
  if (!settings) return util::Unexpected("EC2 instance metadata: " + settings.error());
  if (settings->disabled) return std::shared_ptr<CredentialsProvider>();
  auto client = std::make_unique<ImdsClient>(std::move(*settings), context.network.metadata);
  return start_provider(context, std::make_unique<ImdsCredentialsSource>(std::move(client)),
                        outermost);
}

}  // namespace wc::aws
