#include "aws/sts_client.h"

#include <gtest/gtest.h>

#include "aws/encoding.h"
#include "credentials_test_support.h"
#include "fake_transport.h"

namespace wc::aws {
namespace {

using testing::FakeTransport;

constexpr const char* k_assume_role_answer =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
    "<AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId>"
    "<SecretAccessKey>role-secret</SecretAccessKey><SessionToken>role-token</SessionToken>"
    "<Expiration>2024-05-01T13:00:00Z</Expiration></Credentials></AssumeRoleResult>"
    "</AssumeRoleResponse>";

ServiceConfig sts_config(std::string endpoint, std::shared_ptr<CredentialsProvider> credentials) {
  return ServiceConfig{"sts", "eu-west-1", std::move(endpoint), std::move(credentials)};
}

RetryPolicy no_wait() {
  RetryPolicy policy;
  policy.max_attempts = 2;
  policy.base_delay = std::chrono::milliseconds(0);
  return policy;
}

TEST(StsClient, AssumeRoleIsASignedFormPostToTheRegionalEndpoint) {
  auto transport = std::make_shared<FakeTransport>();
  transport->answer(200, k_assume_role_answer);
  StsClient sts(sts_config("", static_credentials({"AKIDSOURCE", "source-secret", ""})), transport,
                no_wait());
  auto credentials = sts.assume_role(
      {"arn:aws:iam::123456789012:role/app", "my-session", "ext-1", std::optional<int>(900)});
  ASSERT_TRUE(credentials) << credentials.error().describe();
  EXPECT_EQ(credentials->access_key_id, "ASIAROLE");
  EXPECT_EQ(credentials->session_token, "role-token");
  EXPECT_EQ(credentials->expiration, testing_support::test_epoch() + std::chrono::hours(1));

  const auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].endpoint, "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(sent[0].body, "Action=AssumeRole&Version=2011-06-15&RoleArn=" +
                              uri_encode("arn:aws:iam::123456789012:role/app") +
                              "&RoleSessionName=my-session&ExternalId=ext-1&DurationSeconds=900");
  EXPECT_NE(sent[0].header("Authorization").find("Credential=AKIDSOURCE/"), std::string::npos);
  EXPECT_NE(sent[0].header("Authorization").find("/eu-west-1/sts/aws4_request"), std::string::npos);
}

TEST(StsClient, WebIdentityIsSentUnsignedToACustomEndpoint) {
  auto transport = std::make_shared<FakeTransport>();
  const std::string answer =
      "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
      "<AccessKeyId>ASIAPOD</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
      "<SessionToken>t</SessionToken><Expiration>2024-05-01T13:00:00Z</Expiration>"
      "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
  transport->answer(200, answer);
  StsClient sts(sts_config("http://127.0.0.1:9911", nullptr), transport, no_wait());
  auto credentials =
      sts.assume_role_with_web_identity({"arn:aws:iam::1:role/pod", "s", "oidc.jwt", {}});
  ASSERT_TRUE(credentials) << credentials.error().describe();
  const auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].endpoint, "http://127.0.0.1:9911");
  EXPECT_EQ(sent[0].header("Authorization"), "");
  EXPECT_NE(sent[0].body.find("WebIdentityToken=oidc.jwt"), std::string::npos);
}

TEST(StsClient, StsErrorsKeepTheirCodeAndMessage) {
  auto transport = std::make_shared<FakeTransport>();
  transport->answer(403,
                    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                    "<Message>not authorized to perform sts:AssumeRole</Message></Error>"
                    "</ErrorResponse>");
  StsClient sts(sts_config("", static_credentials({"A", "B", ""})), transport, no_wait());
  auto credentials = sts.assume_role({"arn:aws:iam::1:role/x", "s", "", {}});
  ASSERT_FALSE(credentials);
  EXPECT_EQ(credentials.error().code, "AccessDenied");
  EXPECT_EQ(credentials.error().describe(),
            "AssumeRole on role arn:aws:iam::1:role/x failed: AccessDenied (HTTP 403): not "
            "authorized to perform sts:AssumeRole (after 1 attempt)");
}

TEST(StsClient, ChinaRegionsUseTheirOwnDomain) {
  auto transport = std::make_shared<FakeTransport>();
  StsClient sts(ServiceConfig{"sts", "cn-north-1", "", nullptr}, transport);
  EXPECT_EQ(sts.endpoint(), "https://sts.cn-north-1.amazonaws.com.cn");
}

TEST(StsClient, AnAnswerWithoutCredentialsIsAnErrorThatDoesNotQuoteIt) {
  auto parsed = parse_sts_credentials(
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
      "<SecretAccessKey>leaky-secret</SecretAccessKey></Credentials></AssumeRoleResult>"
      "</AssumeRoleResponse>",
      "AssumeRole");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().find("leaky-secret"), std::string::npos);
  EXPECT_NE(parsed.error().find("SessionToken"), std::string::npos);
}

}  // namespace
}  // namespace wc::aws
