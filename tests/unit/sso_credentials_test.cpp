#include <gtest/gtest.h>

#include <filesystem>

#include "aws/sso_credentials_source.h"
#include "aws/sso_token_cache.h"
#include "credentials_test_support.h"
#include "fake_transport.h"

namespace wc::aws {
namespace {

using testing::FakeTransport;
using testing_support::FakeClock;
using testing_support::FakeHome;

TEST(SsoTokenCache, FileNameIsTheSha1OfTheStartUrlOrOfTheSessionName) {
  // The example of the AWS CLI documentation.
  EXPECT_EQ(sso_token_cache_path("/home/u", "", "https://d-abc123.awsapps.com/start"),
            "/home/u/.aws/sso/cache/40a89917e3175433e361b710a9d43528d7f1890a.json");
  EXPECT_EQ(sso_token_cache_path("/home/u", "my-sso", "https://d-abc123.awsapps.com/start"),
            "/home/u/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json");
}

TEST(SsoTokenCache, MissingOrIncompleteTokensAreErrorsNamingTheFile) {
  FakeHome home;
  const std::string path = home.path() + "/token.json";
  auto missing = read_sso_token(path);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find(path), std::string::npos);
  home.write(path, R"({"accessToken": "secret-bearer"})");
  auto incomplete = read_sso_token(path);
  ASSERT_FALSE(incomplete);
  EXPECT_EQ(incomplete.error().find("secret-bearer"), std::string::npos);
  home.write(path, R"({"accessToken": "t", "expiresAt": "2019-11-14T04:05:45UTC"})");
  EXPECT_TRUE(read_sso_token(path));
}

class SsoSourceTest : public ::testing::Test {
 protected:
  SsoSourceTest() {
    std::filesystem::create_directories(home.path() + "/.aws/sso/cache");
    settings.token_path = sso_token_cache_path(home.path(), "", settings.start_url);
  }

  void cache_token(const std::string& expires_at) {
    home.write(settings.token_path, R"({"startUrl": "https://d-abc123.awsapps.com/start",)"
                                    R"( "region": "eu-west-1", "accessToken": "bearer-1",)"
                                    R"( "expiresAt": ")" +
                                        expires_at + "\"}");
  }

  SsoCredentialsSource source(std::string portal = "") {
    RetryPolicy retry;
    retry.max_attempts = 2;
    retry.base_delay = std::chrono::milliseconds(0);
    return SsoCredentialsSource(settings, std::move(portal), transport, clock.function(), retry);
  }

  FakeHome home;
  FakeClock clock;
  SsoSettings settings{
      "dev", "", "https://d-abc123.awsapps.com/start", "eu-west-1", "123456789012", "ReadOnly", ""};
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
};

TEST_F(SsoSourceTest, TheCachedTokenBuysRoleCredentialsFromThePortal) {
  cache_token("2024-05-01T20:00:00Z");
  transport->answer(200, R"({"roleCredentials":{"accessKeyId":"ASIASSO",)"
                         R"("secretAccessKey":"sso-secret","sessionToken":"sso-token",)"
                         R"("expiration":1714568400000}})");
  auto credentials = source().fetch();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "ASIASSO");
  EXPECT_EQ(credentials->expiration, testing_support::test_epoch() + std::chrono::hours(1));
  const auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].url(),
            "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?"
            "account_id=123456789012&role_name=ReadOnly");
  EXPECT_EQ(sent[0].header("x-amz-sso_bearer_token"), "bearer-1");
  EXPECT_EQ(sent[0].header("Authorization"), "");
}

TEST_F(SsoSourceTest, AnExpiredTokenIsAnErrorThatSaysToLogInAgainWithoutCallingThePortal) {
  cache_token("2024-05-01T11:59:59Z");
  auto credentials = source().fetch();
  ASSERT_FALSE(credentials);
  EXPECT_EQ(credentials.error(),
            "the SSO session expired at 2024-05-01T11:59:59Z; run `aws sso login --profile dev`");
  EXPECT_TRUE(transport->sent().empty());
}

TEST_F(SsoSourceTest, ASessionProfileIsToldToLogInToItsSession) {
  settings.session_name = "corp";
  settings.token_path = sso_token_cache_path(home.path(), "corp", settings.start_url);
  auto credentials = source().fetch();
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("run `aws sso login --sso-session corp`"), std::string::npos)
      << credentials.error();
}

TEST_F(SsoSourceTest, ARefusedTokenSaysToLogInAgain) {
  cache_token("2024-05-01T20:00:00Z");
  transport->answer(401, R"({"message":"Session token not found or invalid"})",
                    {{"x-amzn-ErrorType", "UnauthorizedException:http://internal.amazon.com/"}});
  auto credentials = source("http://127.0.0.1:7777").fetch();
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("UnauthorizedException (HTTP 401): Session token not found"),
            std::string::npos)
      << credentials.error();
  EXPECT_NE(credentials.error().find("aws sso login --profile dev"), std::string::npos);
  EXPECT_EQ(credentials.error().find("bearer-1"), std::string::npos);
  EXPECT_EQ(transport->sent()[0].endpoint, "http://127.0.0.1:7777");
}

TEST_F(SsoSourceTest, DescribeNamesRoleAccountProfileAndStartUrl) {
  EXPECT_EQ(source().describe(),
            "SSO role 'ReadOnly' in account 123456789012 (profile 'dev', start URL "
            "https://d-abc123.awsapps.com/start)");
}

}  // namespace
}  // namespace wc::aws
