#include "aws/credentials_chain.h"

#include <fmt/format.h>

#include "aws/credential_providers.h"
#include "aws/profile_credentials.h"
#include "aws/profile_files.h"

namespace wc::aws {

namespace {

std::string where_profile(const ProfileFiles& files, const std::string& name) {
  return fmt::format("profile '{}' ([{}] of the {} and [{}] of the {})", name, name,
                     files.describe_credentials_file(),
                     name == "default" ? "default" : "profile " + name,
                     files.describe_config_file());
}

}  // namespace

util::Expected<std::shared_ptr<CredentialsProvider>, std::string> resolve_credentials_provider(
    const ChainContext& context) {
  const EnvLookup& env = context.env;
  const std::string name = selected_profile(context.explicit_profile, env);
  const bool named = !context.explicit_profile.empty() || env_value(env, "AWS_PROFILE");
  const ProfileFiles files = load_profile_files(env);
  if (named && files.credentials_section(name) == nullptr &&
      files.config_section(name) == nullptr) {
    return util::Unexpected("AWS profile '" + name + "' not found in the " +
                            files.describe_credentials_file() + " or the " +
                            files.describe_config_file());
  }
  std::vector<std::string> looked;
  // Like the CLI, an explicit --profile means that profile, even if the environment has keys
  // or a web identity; AWS_PROFILE alone does not outrank them.
  if (context.explicit_profile.empty()) {
    auto keys = environment_provider(env);
    if (!keys || *keys) return keys;
    auto web_identity = environment_web_identity_provider(context, true);
    if (!web_identity || *web_identity) return web_identity;
    looked.emplace_back(
        "the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_ACCESS_KEY/AWS_SECRET_KEY, "
        "AWS_WEB_IDENTITY_TOKEN_FILE)");
  }
  auto from_profile = profile_provider(context, files, name, true);
  if (!from_profile || *from_profile) return from_profile;
  looked.push_back(where_profile(files, name));

  auto container = container_provider(context, true);
  if (!container || *container) return container;
  looked.emplace_back("container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI)");

  auto instance = instance_metadata_provider(context, true);
  if (instance && *instance) return instance;
  looked.push_back(instance ? std::string("EC2 instance metadata (disabled by "
                                          "AWS_EC2_METADATA_DISABLED)")
                            : instance.error());
  return util::Unexpected(
      fmt::format("no AWS credentials found: looked in {}", fmt::join(looked, ", ")));
}

}  // namespace wc::aws
