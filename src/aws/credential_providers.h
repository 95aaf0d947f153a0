#pragma once
// Builders for each kind of credentials provider, shared by the chain and by profiles that
// name a source (source_profile, credential_source). Each returns null when its settings are
// absent, and an error naming the provider when they are present but do not work.

#include <memory>
#include <string>

#include "aws/credential_source.h"
#include "aws/credentials_chain.h"
#include "aws/sts_client.h"
#include "aws/web_identity_source.h"

namespace wc::aws {

using ProviderResult = util::Expected<std::shared_ptr<CredentialsProvider>, std::string>;

/// Fetches the first set from `source` and wraps it (see RenewingCredentialsProvider::start);
/// `outermost` says whether it renews in the background.
ProviderResult start_provider(const ChainContext& context, std::unique_ptr<CredentialSource> source,
                              bool outermost);

/// Environment keys; the Java SDK's AWS_ACCESS_KEY / AWS_SECRET_KEY stand in for missing
/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Half a pair is an error.
ProviderResult environment_provider(const EnvLookup& env);

/// An STS client in the context's region and at its STS endpoint (AWS_ENDPOINT_URL_STS,
/// AWS_ENDPOINT_URL, the profile's services or endpoint_url), signing with `credentials`
/// (null: unsigned).
util::Expected<std::shared_ptr<StsClient>, std::string> make_sts_client(
    const ChainContext& context, std::shared_ptr<CredentialsProvider> credentials);

ProviderResult web_identity_provider(const ChainContext& context, WebIdentitySettings settings,
                                     bool outermost);
/// AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (a token file without a role is an error).
ProviderResult environment_web_identity_provider(const ChainContext& context, bool outermost);
ProviderResult container_provider(const ChainContext& context, bool outermost);
/// Instance metadata of the selected profile's settings. Null when disabled; an error (which
/// the chain turns into a fall-through) when it does not answer.
ProviderResult instance_metadata_provider(const ChainContext& context, bool outermost);

/// "widget-consumer-<unix seconds>", the session name when none is configured.
std::string default_session_name(const ChainContext& context);

}  // namespace wc::aws
