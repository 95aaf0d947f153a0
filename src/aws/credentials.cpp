#include "aws/credentials.h"

#include <cstdlib>

namespace wc::aws {

StaticCredentialsProvider::StaticCredentialsProvider(Credentials credentials,
                                                     std::string description)
    : credentials_(std::make_shared<const Credentials>(std::move(credentials))),
      description_(std::move(description)) {}

std::shared_ptr<CredentialsProvider> static_credentials(Credentials credentials,
                                                        std::string description) {
  return std::make_shared<StaticCredentialsProvider>(std::move(credentials),
                                                     std::move(description));
}

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

}  // namespace wc::aws
