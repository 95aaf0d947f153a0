#include "aws/error_class.h"

#include <array>
#include <string_view>

#include "aws/aws_call.h"

namespace wc::aws {

namespace {

// Codes that say the target or the caller's identity is unusable, for every request alike. The
// JSON APIs (DynamoDB, SQS) answer most of them with HTTP 400, so the status alone is not enough.
constexpr std::array<std::string_view, 29> k_access_codes = {
    "NoSuchBucket",
    "AccessDenied",
    "AccessDeniedException",
    "AllAccessDisabled",
    "AccountProblem",
    "InvalidPayer",
    "NotSignedUp",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidToken",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "NotAuthorized",
    "OptInRequired",
    "KMS.AccessDeniedException",
    "KMS.DisabledException",
    "AuthorizationHeaderMalformed",
    "ResourceNotFoundException",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "PermanentRedirect",
    "CredentialsUnavailable",
};

}  // namespace

ErrorClass classify(const AwsError& error) {
  if (error.code == k_cancelled_error || error.code == k_deadline_error) {
    return ErrorClass::interrupted;
  }
  if (error.retryable) return ErrorClass::transient;
  for (std::string_view code : k_access_codes) {
    if (error.code == code) return ErrorClass::access;
  }
  if (error.http_status == 401 || error.http_status == 403) return ErrorClass::access;
  return ErrorClass::request;
}

}  // namespace wc::aws
