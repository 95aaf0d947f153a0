#include "aws/aws_session.h"

#include "aws/imds_client.h"
#include "aws/profile_files.h"

namespace wc::aws {

namespace {

constexpr std::string_view k_default_region = "us-east-1";

/// The instance's region when nothing else names one; nullopt off EC2 or when disabled.
std::optional<std::string> instance_region(const ImdsSettings& settings,
                                           const CredentialsNetwork& network) {
  if (settings.disabled) return std::nullopt;
  ImdsClient client(settings, network.metadata);
  auto region = imds_region(client);
  if (!region || region->empty()) return std::nullopt;
  return *region;
}

}  // namespace

util::Expected<AwsSession, std::string> open_session(const AwsOptions& options,
                                                     const EnvLookup& env,
                                                     const SessionOptions& session_options) {
  const ProfileFiles files = load_profile_files(env);
  auto imds = imds_settings(env, files.config_section(selected_profile(options.profile, env)));
  if (!imds) return util::Unexpected("EC2 instance metadata: " + imds.error());
  const CredentialsNetwork network = session_options.network
                                         ? *session_options.network
                                         : default_credentials_network(imds->timeout);

  auto configured = configured_region(options, env);
  if (!configured) return util::Unexpected(std::move(configured).error());
  AwsSession session;
  if (*configured) {
    session.region = (*configured)->region;
    session.region_source = (*configured)->source;
  } else if (auto region = instance_region(*imds, network)) {
    session.region = *region;
    session.region_source = "EC2 instance metadata";
  } else {
    session.region = std::string(k_default_region);
    session.region_source = "the default";
  }

  ChainContext context;
  context.env = env;
  context.explicit_profile = options.profile;
  context.region = session.region;
  context.network = network;
  context.renewal.clock = session_options.clock;
  context.renewal.observer = session_options.on_credentials;
  context.renewal.background = session_options.renew_in_background;
  context.on_retry = session_options.on_retry;
  auto credentials = resolve_credentials_provider(context);
  if (!credentials) return util::Unexpected(std::move(credentials).error());
  session.credentials = std::move(*credentials);
  return session;
}

util::Expected<ServiceConfig, std::string> service_config(const std::string& service,
                                                          const AwsOptions& options,
                                                          const EnvLookup& env,
                                                          const AwsSession& session) {
  auto endpoint = configured_endpoint(service, options, env);
  if (!endpoint) return util::Unexpected(std::move(endpoint).error());
  return ServiceConfig{service, session.region, std::move(*endpoint), session.credentials};
}

util::Expected<ServiceConfig, std::string> resolve_service_config(const std::string& service,
                                                                  const AwsOptions& options,
                                                                  const EnvLookup& env) {
  auto session = open_session(options, env);
  if (!session) return util::Unexpected(std::move(session).error());
  return service_config(service, options, env, *session);
}

}  // namespace wc::aws
