#pragma once
// The credentials a profile of the shared files names: role_arn (with source_profile,
// credential_source or web_identity_token_file), SSO, static keys, credential_process.

#include <string>
#include <vector>

#include "aws/credential_providers.h"
#include "aws/profile_files.h"

namespace wc::aws {

/// The provider profile `name` configures, in botocore's order: role_arn, SSO
/// (sso_account_id / sso_role_name, with sso_session or sso_start_url), static keys of the
/// credentials file, credential_process, static keys of the config file. Settings are looked
/// up in the credentials file first, then in the config file. Null when the profile names no
/// credentials; an error naming the profile when its settings are incomplete or do not work.
/// `visited` holds the profiles above this one in a source_profile chain (loops are errors).
ProviderResult profile_provider(const ChainContext& context, const ProfileFiles& files,
                                const std::string& name, bool outermost,
                                std::vector<std::string> visited = {});

}  // namespace wc::aws
