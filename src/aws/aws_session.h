#pragma once
// What every AWS client of one process shares: the region and one credentials provider.

#include <memory>
#include <optional>
#include <string>

#include "aws/aws_call.h"
#include "aws/client_config.h"
#include "aws/credentials_chain.h"
#include "aws/renewing_credentials_provider.h"
#include "util/expected.h"

namespace wc::aws {

struct SessionOptions {
  CredentialsObserver on_credentials;  ///< renewals and failed renewals, for the log
  RetryObserver on_retry;              ///< retried STS and SSO calls
  /// Tests: fake transports, a fake clock, renewal driven by hand.
  std::optional<CredentialsNetwork> network;
  SystemClock clock = [] { return std::chrono::system_clock::now(); };
  bool renew_in_background = true;
};

struct AwsSession {
  std::string region;
  std::string region_source;  ///< "--region", "AWS_REGION", "EC2 instance metadata", ...
  std::shared_ptr<CredentialsProvider> credentials;
};

/// Region: configured_region, else the instance's region from instance metadata (unless
/// disabled), else us-east-1. Credentials: resolve_credentials_provider in that region. The
/// error names what is missing or which provider failed and why.
util::Expected<AwsSession, std::string> open_session(const AwsOptions& options,
                                                     const EnvLookup& env,
                                                     const SessionOptions& session_options = {});

/// One service's client configuration within the session (its endpoint: configured_endpoint).
util::Expected<ServiceConfig, std::string> service_config(const std::string& service,
                                                          const AwsOptions& options,
                                                          const EnvLookup& env,
                                                          const AwsSession& session);

/// open_session + service_config, for a program with a single client (widget-producer).
util::Expected<ServiceConfig, std::string> resolve_service_config(const std::string& service,
                                                                  const AwsOptions& options,
                                                                  const EnvLookup& env);

}  // namespace wc::aws
