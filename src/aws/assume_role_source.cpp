#include "aws/assume_role_source.h"

#include <fmt/format.h>

namespace wc::aws {

AssumeRoleSource::AssumeRoleSource(AssumeRoleRequest request, std::string profile,
                                   std::shared_ptr<CredentialsProvider> source,
                                   std::shared_ptr<StsClient> sts)
    : request_(std::move(request)),
      profile_(std::move(profile)),
      source_(std::move(source)),
      sts_(std::move(sts)) {}

std::string AssumeRoleSource::describe() const {
  return fmt::format("role {} (profile '{}') via STS AssumeRole at {}, signed with {}",
                     request_.role_arn, profile_, sts_->endpoint(), source_->describe());
}

util::Expected<Credentials, std::string> AssumeRoleSource::fetch() {
  auto credentials = sts_->assume_role(request_);
  if (!credentials) return util::Unexpected(credentials.error().describe());
  return std::move(*credentials);
}

}  // namespace wc::aws
