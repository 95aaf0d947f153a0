#include "aws/error_class.h"

#include <array>
#include <string_view>

namespace wc::aws {

namespace {

// Codes that say the target or the caller's identity is unusable, for every request alike.
constexpr std::array<std::string_view, 19> k_access_codes = {
    "NoSuchBucket",          "AccessDenied",
    "AccessDeniedException", "AllAccessDisabled",
    "InvalidAccessKeyId",    "SignatureDoesNotMatch",
    "InvalidSignatureException", "ExpiredToken",
    "ExpiredTokenException", "InvalidToken",
    "InvalidClientTokenId",  "UnrecognizedClientException",
    "MissingAuthenticationToken", "AuthorizationHeaderMalformed",
    "ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",     "PermanentRedirect",
    "CredentialsUnavailable",
};

}  // namespace

ErrorClass classify(const AwsError& error) {
  if (error.retryable) return ErrorClass::transient;
  for (std::string_view code : k_access_codes) {
    if (error.code == code) return ErrorClass::access;
  }
  if (error.http_status == 401 || error.http_status == 403) return ErrorClass::access;
  return ErrorClass::request;
}

}  // namespace wc::aws
