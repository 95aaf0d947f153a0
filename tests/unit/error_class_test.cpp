#include "aws/error_class.h"

#include <gtest/gtest.h>

namespace wc::aws {
namespace {

AwsError error(std::string code, long status, bool retryable = false) {
  return AwsError{.operation = "PutItem",
                  .resource = "table 'w'",
                  .http_status = status,
                  .code = std::move(code),
                  .message = "refused",
                  .attempts = 1,
                  .retryable = retryable};
}

TEST(ErrorClass, AuthorizationFailuresOfTheJsonApisAreAccessThoughTheyAreHttp400) {
  for (const char* code : {"AccessDeniedException", "MissingAuthenticationTokenException",
                           "IncompleteSignatureException", "UnrecognizedClientException",
                           "NotAuthorized", "OptInRequired", "KMS.DisabledException"}) {
    EXPECT_EQ(classify(error(code, 400)), ErrorClass::access) << code;
  }
}

TEST(ErrorClass, AnyRefusalWithHttp401Or403IsAccess) {
  EXPECT_EQ(classify(error("AccountProblem", 403)), ErrorClass::access);
  EXPECT_EQ(classify(error("SomethingNew", 403)), ErrorClass::access);
  EXPECT_EQ(classify(error("", 401)), ErrorClass::access);
}

TEST(ErrorClass, ABucketInAnotherRegionIsAccess) {
  EXPECT_EQ(classify(error("PermanentRedirect", 301)), ErrorClass::access);
}

TEST(ErrorClass, ARefusalOfOneRequestIsRequestAndARetryableFailureTransient) {
  EXPECT_EQ(classify(error("ConditionalCheckFailedException", 400)), ErrorClass::request);
  EXPECT_EQ(classify(error("ValidationException", 400)), ErrorClass::request);
  EXPECT_EQ(classify(error("ThrottlingException", 400, true)), ErrorClass::transient);
}

}  // namespace
}  // namespace wc::aws
