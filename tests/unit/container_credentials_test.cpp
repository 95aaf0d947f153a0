#include <gtest/gtest.h>

#include "aws/container_credentials_source.h"
#include "credentials_test_support.h"
#include "fake_transport.h"

namespace wc::aws {
namespace {

using testing::FakeTransport;
using testing_support::FakeEnv;
using testing_support::FakeHome;

constexpr const char* k_answer =
    R"({"AccessKeyId":"ASIATASK","SecretAccessKey":"task-secret","Token":"task-token",)"
    R"("Expiration":"2024-05-01T18:00:00Z","RoleArn":"arn:aws:iam::1:role/LabRole"})";

TEST(ContainerUrl, HttpsMayNameAnyHost) {
  EXPECT_TRUE(container_url_allowed("https://creds.example.com/v1"));
}

TEST(ContainerUrl, PlainHttpMayOnlyNameLoopbackOrTheAgents) {
  for (const char* url : {"http://127.0.0.1:8080/creds", "http://127.1.2.3/x", "http://[::1]:9/x",
                          "http://localhost/x", "http://169.254.170.2/v2/credentials/id",
                          "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1"}) {
    EXPECT_TRUE(container_url_allowed(url)) << url;
  }
  for (const char* url :
       {"http://creds.example.com/v1", "http://10.0.0.1/x", "http://169.254.169.254/latest",
        "http://128.0.0.1/x", "http://localhost.example.com/x"}) {
    auto allowed = container_url_allowed(url);
    ASSERT_FALSE(allowed) << url;
    EXPECT_NE(allowed.error().find("plain http"), std::string::npos) << allowed.error();
  }
  EXPECT_FALSE(container_url_allowed("ftp://127.0.0.1/x"));
  EXPECT_FALSE(container_url_allowed("not a url"));
}

TEST(ContainerUrl, RelativeUriGoesToTheEcsAgentAndWinsOverAFullUri) {
  FakeEnv env;
  EXPECT_EQ(*container_credentials_url(env.lookup()), std::nullopt);
  env.variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:51679/creds";
  EXPECT_EQ(**container_credentials_url(env.lookup()), "http://127.0.0.1:51679/creds");
  env.variables["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/7f-task?a=b";
  EXPECT_EQ(**container_credentials_url(env.lookup()),
            "http://169.254.170.2/v2/credentials/7f-task?a=b");
}

TEST(ContainerUrl, ARefusedFullUriNamesTheVariable) {
  FakeEnv env;
  env.variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://evil.example.com/creds";
  auto url = container_credentials_url(env.lookup());
  ASSERT_FALSE(url);
  EXPECT_NE(url.error().find("AWS_CONTAINER_CREDENTIALS_FULL_URI"), std::string::npos);
}

class ContainerSourceTest : public ::testing::Test {
 protected:
  ContainerCredentialsSource source(const std::string& url = "http://127.0.0.1:5000/creds?x=1") {
    return ContainerCredentialsSource(url, env.lookup(), transport,
                                      ContainerFetchOptions{3, std::chrono::milliseconds(0)});
  }

  FakeHome home;
  FakeEnv env;
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
};

TEST_F(ContainerSourceTest, FetchReadsTheDocumentWithItsExpiry) {
  transport->answer(200, k_answer);
  auto credentials = source().fetch();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "ASIATASK");
  EXPECT_EQ(credentials->session_token, "task-token");
  EXPECT_EQ(credentials->expiration, testing_support::test_epoch() + std::chrono::hours(6));
  const auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].url(), "http://127.0.0.1:5000/creds?x=1");
  EXPECT_EQ(sent[0].header("Accept"), "application/json");
  EXPECT_EQ(sent[0].header("Authorization"), "");
}

TEST_F(ContainerSourceTest, TheTokenFileIsReadForEveryFetchAndWinsOverTheVariable) {
  const std::string token_file = home.path() + "/eks-pod-identity-token";
  env.variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "from-variable";
  env.variables["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = token_file;
  home.write(token_file, "first-token\n");
  transport->answer(200, k_answer);
  transport->answer(200, k_answer);
  auto fetcher = source();
  ASSERT_TRUE(fetcher.fetch());
  home.write(token_file, "rotated-token");
  ASSERT_TRUE(fetcher.fetch());
  const auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].header("Authorization"), "first-token");
  EXPECT_EQ(sent[1].header("Authorization"), "rotated-token");
}

TEST_F(ContainerSourceTest, TheTokenVariableIsSentWhenThereIsNoFile) {
  env.variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "Basic abc";
  transport->answer(200, k_answer);
  ASSERT_TRUE(source().fetch());
  EXPECT_EQ(transport->sent()[0].header("Authorization"), "Basic abc");
}

TEST_F(ContainerSourceTest, ATokenWithALineBreakInsideIsRefusedBeforeSending) {
  env.variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "abc\r\nX-Injected: 1";
  auto credentials = source().fetch();
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("line break"), std::string::npos);
  EXPECT_TRUE(transport->sent().empty());
}

TEST_F(ContainerSourceTest, FailuresAreRetriedThreeTimesThenReportedWithTheLastCause) {
  transport->fail(TransportErrorKind::connect, "connection refused");
  transport->answer(500, "agent busy");
  transport->answer(200, k_answer);
  EXPECT_TRUE(source().fetch());
  EXPECT_EQ(transport->sent().size(), 3u);

  for (int i = 0; i < 3; ++i) transport->answer(404, "no such task");
  auto credentials = source().fetch();
  ASSERT_FALSE(credentials);
  EXPECT_EQ(credentials.error(), "HTTP 404: no such task (after 3 attempts)");
}

TEST_F(ContainerSourceTest, AnAnswerMissingFieldsNamesThemAndNeverQuotesTheSecret) {
  transport->answer(200, R"({"AccessKeyId":"A","SecretAccessKey":"shh-secret","Token":"t"})");
  transport->answer(200, R"({"AccessKeyId":"A","SecretAccessKey":"shh-secret","Token":"t"})");
  transport->answer(200, R"({"AccessKeyId":"A","SecretAccessKey":"shh-secret","Token":"t"})");
  auto credentials = source().fetch();
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("no Expiration"), std::string::npos) << credentials.error();
  EXPECT_EQ(credentials.error().find("shh-secret"), std::string::npos);
}

TEST_F(ContainerSourceTest, DescribeNamesTheUrlButNeverTheToken) {
  env.variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "secret-token";
  EXPECT_EQ(source("http://169.254.170.23/v1/credentials").describe(),
            "container credentials from http://169.254.170.23/v1/credentials");
}

}  // namespace
}  // namespace wc::aws
