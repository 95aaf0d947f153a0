#include <gtest/gtest.h>

#include "aws/child_process.h"
#include "aws/process_credentials_source.h"
#include "credentials_test_support.h"

namespace wc::aws {
namespace {

using namespace std::chrono_literals;

std::string printing(const std::string& json) { return "printf '%s' '" + json + "'"; }

TEST(ProcessCredentials, VersionOneWithExpirationIsTemporary) {
  ProcessCredentialsSource source(
      printing(R"({"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"s",)"
               R"("SessionToken":"t","Expiration":"2024-05-01T13:00:00Z"})"),
      "tool");
  auto credentials = source.fetch();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "ASIAPROC");
  EXPECT_EQ(credentials->session_token, "t");
  EXPECT_EQ(credentials->expiration, testing_support::test_epoch() + 1h);
  EXPECT_EQ(source.describe(), "credential_process of profile 'tool'");
}

TEST(ProcessCredentials, WithoutExpirationOrTokenTheKeysAreLongLived) {
  auto credentials = ProcessCredentialsSource::parse_output(
      R"({"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "s"})");
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->expiration, std::nullopt);
  EXPECT_EQ(credentials->session_token, "");
}

TEST(ProcessCredentials, AnyVersionButOneIsRefused) {
  for (const char* out : {R"({"AccessKeyId":"A","SecretAccessKey":"s"})",
                          R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"})",
                          R"({"Version":"1","AccessKeyId":"A","SecretAccessKey":"s"})"}) {
    auto credentials = ProcessCredentialsSource::parse_output(out);
    ASSERT_FALSE(credentials) << out;
    EXPECT_NE(credentials.error().find("\"Version\": 1"), std::string::npos);
  }
}

TEST(ProcessCredentials, AFailingCommandReportsItsStatusAndStandardError) {
  ProcessCredentialsSource source("echo 'token expired, run sso login' >&2; exit 3", "tool");
  auto credentials = source.fetch();
  ASSERT_FALSE(credentials);
  EXPECT_EQ(credentials.error(), "the command exited with status 3: token expired, run sso login");
}

TEST(ProcessCredentials, OutputThatIsNotJsonIsNeverQuoted) {
  ProcessCredentialsSource source("echo AKIA SECRETSECRET", "tool");
  auto credentials = source.fetch();
  ASSERT_FALSE(credentials);
  EXPECT_EQ(credentials.error().find("SECRETSECRET"), std::string::npos);
}

TEST(ChildProcess, ACommandThatHangsIsKilledAtTheTimeout) {
  const auto before = std::chrono::steady_clock::now();
  auto ran = run_command("sleep 30", 200ms, 1000);
  ASSERT_FALSE(ran);
  EXPECT_NE(ran.error().find("did not finish"), std::string::npos) << ran.error();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 10s);
}

TEST(ChildProcess, TooMuchOutputIsAnError) {
  auto ran = run_command("yes", 10s, 10'000);
  ASSERT_FALSE(ran);
  EXPECT_NE(ran.error().find("more than 10000 bytes"), std::string::npos) << ran.error();
}

TEST(ChildProcess, BothStreamsAndTheStatusAreCollected) {
  auto ran = run_command("echo out; echo err >&2; exit 7", 10s, 1000);
  ASSERT_TRUE(ran) << ran.error();
  EXPECT_EQ(ran->out, "out\n");
  EXPECT_EQ(ran->err, "err\n");
  EXPECT_EQ(ran->exit_status, 7);
}

}  // namespace
}  // namespace wc::aws
