#include "aws/imds_client.h"

#include <gtest/gtest.h>

#include "aws/imds_credentials_source.h"
#include "credentials_test_support.h"
#include "fake_transport.h"

namespace wc::aws {
namespace {

using testing::FakeTransport;
using testing_support::FakeEnv;

constexpr const char* k_document =
    R"({"Code":"Success","LastUpdated":"2024-05-01T11:00:00Z","Type":"AWS-HMAC",)"
    R"("AccessKeyId":"ASIAEC2","SecretAccessKey":"ec2-secret","Token":"ec2-token",)"
    R"("Expiration":"2024-05-01T18:00:00Z"})";

TEST(ImdsSettings, DefaultsAreBotocoresAndVariablesOverrideTheProfile) {
  FakeEnv env;
  auto defaults = imds_settings(env.lookup(), nullptr);
  ASSERT_TRUE(defaults) << defaults.error();
  EXPECT_FALSE(defaults->disabled);
  EXPECT_FALSE(defaults->v1_disabled);
  EXPECT_EQ(defaults->endpoint, "http://169.254.169.254");
  EXPECT_EQ(defaults->timeout, std::chrono::milliseconds(1000));
  EXPECT_EQ(defaults->attempts, 1);

  IniSection profile{{"ec2_metadata_service_endpoint_mode", "IPv6"},
                     {"ec2_metadata_v1_disabled", "true"},
                     {"metadata_service_timeout", "2.5"}};
  auto from_profile = imds_settings(env.lookup(), &profile);
  ASSERT_TRUE(from_profile) << from_profile.error();
  EXPECT_EQ(from_profile->endpoint, "http://[fd00:ec2::254]");
  EXPECT_TRUE(from_profile->v1_disabled);
  EXPECT_EQ(from_profile->timeout, std::chrono::milliseconds(2500));

  env.variables["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:1338/";
  env.variables["AWS_EC2_METADATA_DISABLED"] = "TRUE";
  env.variables["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] = "3";
  auto from_env = imds_settings(env.lookup(), &profile);
  ASSERT_TRUE(from_env) << from_env.error();
  EXPECT_EQ(from_env->endpoint, "http://127.0.0.1:1338");
  EXPECT_TRUE(from_env->disabled);
  EXPECT_EQ(from_env->attempts, 3);
}

TEST(ImdsSettings, BadValuesAreErrorsNamingTheirSource) {
  FakeEnv env;
  env.variables["AWS_METADATA_SERVICE_TIMEOUT"] = "soon";
  auto settings = imds_settings(env.lookup(), nullptr);
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().find("AWS_METADATA_SERVICE_TIMEOUT"), std::string::npos);
  env.variables.erase("AWS_METADATA_SERVICE_TIMEOUT");
  env.variables["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "169.254.169.254";
  EXPECT_FALSE(imds_settings(env.lookup(), nullptr));
}

class ImdsTest : public ::testing::Test {
 protected:
  ImdsSettings settings() {
    ImdsSettings out;
    out.endpoint = "http://127.0.0.1:1338";
    return out;
  }
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
};

TEST_F(ImdsTest, CredentialsTakeATokenThenTheRoleNameThenTheRolesDocument) {
  transport->answer(200, "session-token");
  transport->answer(200, "LabInstanceRole\n");
  transport->answer(200, "session-token-2");
  transport->answer(200, k_document);
  ImdsCredentialsSource source(std::make_unique<ImdsClient>(settings(), transport));
  auto credentials = source.fetch();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "ASIAEC2");
  EXPECT_EQ(credentials->expiration, testing_support::test_epoch() + std::chrono::hours(6));
  EXPECT_EQ(source.describe(),
            "EC2 instance metadata at http://127.0.0.1:1338 (role 'LabInstanceRole', IMDSv2)");

  const auto sent = transport->sent();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0].method, "PUT");
  EXPECT_EQ(sent[0].path, "/latest/api/token");
  EXPECT_EQ(sent[0].header("x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(sent[1].path, "/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(sent[1].header("x-aws-ec2-metadata-token"), "session-token");
  EXPECT_EQ(sent[3].path, "/latest/meta-data/iam/security-credentials/LabInstanceRole");
  EXPECT_EQ(sent[3].header("x-aws-ec2-metadata-token"), "session-token-2");
}

TEST_F(ImdsTest, ATokenCallRefusedWith403To405FallsBackToImdsV1AsTheSdksDo) {
  for (long status : {403L, 404L, 405L}) {
    transport->answer(status);
    transport->answer(200, "us-west-2");
    ImdsClient client(settings(), transport);
    auto region = imds_region(client);
    ASSERT_TRUE(region) << status << ": " << region.error();
    EXPECT_EQ(*region, "us-west-2");
    EXPECT_TRUE(client.used_v1());
    EXPECT_EQ(transport->sent().back().header("x-aws-ec2-metadata-token"), "");
  }
}

TEST_F(ImdsTest, WithImdsV1DisabledARefusedTokenIsAnErrorSayingSo) {
  ImdsSettings strict = settings();
  strict.v1_disabled = true;
  transport->answer(404);
  ImdsClient client(strict, transport);
  auto region = imds_region(client);
  ASSERT_FALSE(region);
  EXPECT_NE(region.error().find("IMDSv1 is disabled"), std::string::npos) << region.error();
  EXPECT_EQ(transport->sent().size(), 1u);
}

TEST_F(ImdsTest, AnUnreachableServiceIsAnErrorAfterTheConfiguredAttempts) {
  ImdsSettings two = settings();
  two.attempts = 2;
  transport->fail(TransportErrorKind::timeout,
                  "PUT http://127.0.0.1:1338/latest/api/token: timed out");
  transport->fail(TransportErrorKind::timeout,
                  "PUT http://127.0.0.1:1338/latest/api/token: timed out");
  ImdsClient client(two, transport);
  auto got = client.get("/latest/meta-data/iam/security-credentials/");
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().find("timed out"), std::string::npos);
  EXPECT_EQ(transport->sent().size(), 2u);
}

TEST_F(ImdsTest, AnInstanceWithoutARoleSaysSo) {
  transport->answer(200, "token");
  transport->answer(404, "Not Found");
  ImdsCredentialsSource source(std::make_unique<ImdsClient>(settings(), transport));
  auto credentials = source.fetch();
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("HTTP 404"), std::string::npos) << credentials.error();
}

TEST_F(ImdsTest, AnErrorDocumentFromTheRoleIsReportedWithItsCode) {
  transport->answer(200, "token");
  transport->answer(200, "role");
  transport->answer(200, "token");
  transport->answer(200,
                    R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume"})");
  ImdsCredentialsSource source(std::make_unique<ImdsClient>(settings(), transport));
  auto credentials = source.fetch();
  ASSERT_FALSE(credentials);
  EXPECT_EQ(credentials.error(), "role 'role': AssumeRoleUnauthorizedAccess: EC2 cannot assume");
}

TEST_F(ImdsTest, DisabledMeansNotAsked) {
  ImdsSettings off = settings();
  off.disabled = true;
  ImdsClient client(off, transport);
  EXPECT_FALSE(client.get("/latest/meta-data/placement/region"));
  EXPECT_TRUE(transport->sent().empty());
}

}  // namespace
}  // namespace wc::aws
