#include "aws/client_config.h"

#include <gtest/gtest.h>

#include "aws/aws_session.h"
#include "aws_test_env.h"
#include "fake_transport.h"

namespace wc::aws {
namespace {

using testing_support::FakeEnv;
using testing_support::FakeHome;

class ClientConfigTest : public ::testing::Test {
 protected:
  ClientConfigTest() {
    env.variables["HOME"] = home.path();
    env.variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    env.variables["AWS_SECRET_ACCESS_KEY"] = "env-secret";
    env.variables["AWS_EC2_METADATA_DISABLED"] = "true";
  }

  util::Expected<ServiceConfig, std::string> resolve(const std::string& service = "s3") {
    SessionOptions session_options;
    session_options.network = CredentialsNetwork{network, network, network};
    session_options.renew_in_background = false;
    auto session = open_session(options, env.lookup(), session_options);
    if (!session) return util::Unexpected(std::move(session).error());
    return service_config(service, options, env.lookup(), *session);
  }

  std::string access_key_id(const ServiceConfig& config) {
    auto credentials = config.credentials->current();
    return credentials ? (*credentials)->access_key_id : "error: " + credentials.error();
  }

  std::string region() {
    auto config = resolve();
    return config ? config->region : "error: " + config.error();
  }

  std::string endpoint(const std::string& service = "s3") {
    auto config = resolve(service);
    return config ? config->endpoint_url : "error: " + config.error();
  }

  FakeHome home;
  FakeEnv env;
  AwsOptions options;
  std::shared_ptr<testing::FakeTransport> network = std::make_shared<testing::FakeTransport>();
};

TEST_F(ClientConfigTest, RegionPrecedenceIsFlagThenEnvironmentThenProfileThenDefault) {
  home.write_config("[default]\nregion = eu-north-1\n");
  options.region = "ap-south-1";
  env.variables["AWS_REGION"] = "eu-west-1";
  env.variables["AWS_DEFAULT_REGION"] = "eu-west-2";

  EXPECT_EQ(region(), "ap-south-1");
  options.region.clear();
  EXPECT_EQ(region(), "eu-west-1");
  env.variables.erase("AWS_REGION");
  EXPECT_EQ(region(), "eu-west-2");
  env.variables.erase("AWS_DEFAULT_REGION");
  EXPECT_EQ(region(), "eu-north-1");
  home.write_config("[default]\n");
  EXPECT_EQ(region(), "us-east-1");
}

TEST_F(ClientConfigTest, RegionComesFromTheSelectedProfile) {
  home.write_config("[default]\nregion = eu-north-1\n[profile work]\nregion = sa-east-1\n");
  env.variables["AWS_PROFILE"] = "work";
  EXPECT_EQ(region(), "sa-east-1");

  env.variables.erase("AWS_PROFILE");
  options.profile = "work";
  home.write_credentials("[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = s\n");
  auto config = resolve();
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->region, "sa-east-1");
  EXPECT_EQ(access_key_id(*config), "AKIDWORK");
}

TEST_F(ClientConfigTest, MalformedRegionIsAnErrorNamingValueAndSource) {
  env.variables["AWS_REGION"] = "eu west/1";
  auto config = resolve();
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().find("'eu west/1'"), std::string::npos) << config.error();
  EXPECT_NE(config.error().find("AWS_REGION"), std::string::npos) << config.error();
}

TEST_F(ClientConfigTest, EndpointPrecedenceIsFlagThenServiceVariableThenGlobalThenProfile) {
  home.write_config(
      "[default]\nendpoint_url = http://profile:1\nservices = local\n"
      "[services local]\ns3 =\n  endpoint_url = http://services-section:2\n");
  options.endpoint_url = "http://flag:3";
  env.variables["AWS_ENDPOINT_URL_S3"] = "http://service-variable:4";
  env.variables["AWS_ENDPOINT_URL"] = "http://global-variable:5";

  EXPECT_EQ(endpoint(), "http://flag:3");
  options.endpoint_url.clear();
  EXPECT_EQ(endpoint(), "http://service-variable:4");
  env.variables.erase("AWS_ENDPOINT_URL_S3");
  EXPECT_EQ(endpoint(), "http://global-variable:5");
  env.variables.erase("AWS_ENDPOINT_URL");
  EXPECT_EQ(endpoint(), "http://services-section:2");
  home.write_config("[default]\nendpoint_url = http://profile:1\n");
  EXPECT_EQ(endpoint(), "http://profile:1");
  home.write_config("[default]\n");
  EXPECT_EQ(endpoint(), "");
  EXPECT_FALSE(resolve()->custom_endpoint());
}

TEST_F(ClientConfigTest, ServiceVariableAppliesOnlyToItsService) {
  env.variables["AWS_ENDPOINT_URL_DYNAMODB"] = "http://localhost:8000";
  env.variables["AWS_ENDPOINT_URL_SQS"] = "http://localhost:9324";
  EXPECT_EQ(endpoint("dynamodb"), "http://localhost:8000");
  EXPECT_EQ(endpoint("sqs"), "http://localhost:9324");
  EXPECT_EQ(endpoint("s3"), "");
}

TEST_F(ClientConfigTest, ResultNamesTheServiceAndMarksACustomEndpoint) {
  env.variables["AWS_ENDPOINT_URL"] = "https://localhost:4566";
  auto config = resolve("dynamodb");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->service, "dynamodb");
  EXPECT_TRUE(config->custom_endpoint());
  EXPECT_EQ(access_key_id(*config), "AKIDENV");
}

TEST_F(ClientConfigTest, TrailingSlashesAreStripped) {
  options.endpoint_url = "http://127.0.0.1:5000//";
  EXPECT_EQ(endpoint(), "http://127.0.0.1:5000");
}

TEST_F(ClientConfigTest, EndpointWithoutHttpSchemeIsAnErrorNamingValueAndSource) {
  env.variables["AWS_ENDPOINT_URL"] = "localhost:4566";
  EXPECT_EQ(endpoint(),
            "error: invalid endpoint URL from AWS_ENDPOINT_URL: 'localhost:4566' has no scheme: "
            "write http://localhost:4566 or https://localhost:4566");
  env.variables["AWS_ENDPOINT_URL"] = "ftp://localhost";
  EXPECT_NE(endpoint().find("'ftp://localhost' uses ftp://"), std::string::npos) << endpoint();
}

TEST_F(ClientConfigTest, EndpointWithPathOrWithoutHostIsRefused) {
  options.endpoint_url = "http://localhost:4566/prefix";
  EXPECT_NE(endpoint().find("has a path, query or fragment"), std::string::npos) << endpoint();
  options.endpoint_url = "https://";
  EXPECT_NE(endpoint().find("'https://' is not a valid URL (No host part"), std::string::npos)
      << endpoint();
}

// Every source follows the rule of --endpoint-url (the same parse_endpoint_url), where the
// variables and profile settings used to be split by hand and let these through.
TEST_F(ClientConfigTest, ConfiguredEndpointFollowsTheRuleOfTheFlag) {
  env.variables["AWS_ENDPOINT_URL"] = "http://key:secret@localhost:4566";
  EXPECT_NE(endpoint().find("holds a user name or password"), std::string::npos) << endpoint();
  env.variables["AWS_ENDPOINT_URL"] = "http://localhost:0";
  EXPECT_NE(endpoint().find("has port 0"), std::string::npos) << endpoint();
  env.variables["AWS_ENDPOINT_URL"] = "http://localhost:port";
  EXPECT_NE(endpoint().find("is not a valid URL"), std::string::npos) << endpoint();
  home.write_config("[default]\nendpoint_url = HTTP://LocalHost:4566/\n");
  env.variables.erase("AWS_ENDPOINT_URL");
  EXPECT_EQ(endpoint(), "http://LocalHost:4566");
}

TEST_F(ClientConfigTest, IgnoreConfiguredEndpointUrlsLeavesOnlyTheFlag) {
  env.variables["AWS_ENDPOINT_URL"] = "http://global-variable:5";
  env.variables["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_EQ(endpoint(), "");
  options.endpoint_url = "http://flag:3";
  EXPECT_EQ(endpoint(), "http://flag:3");
}

TEST_F(ClientConfigTest, ProfileSettingCanIgnoreConfiguredEndpointUrls) {
  home.write_config(
      "[default]\nendpoint_url = http://profile:1\n"
      "ignore_configured_endpoint_urls = true\n");
  env.variables["AWS_ENDPOINT_URL_S3"] = "http://service-variable:4";
  EXPECT_EQ(endpoint(), "");
}

TEST_F(ClientConfigTest, RegionComesFromInstanceMetadataWhenNothingElseNamesOne) {
  env.variables.erase("AWS_EC2_METADATA_DISABLED");
  network->answer(200, "token");      // PUT /latest/api/token
  network->answer(200, "ap-east-1");  // GET /latest/meta-data/placement/region
  auto config = resolve();
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->region, "ap-east-1");
  const auto sent = network->sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].path, "/latest/meta-data/placement/region");
  EXPECT_EQ(sent[1].header("x-aws-ec2-metadata-token"), "token");
}

TEST_F(ClientConfigTest, ConfiguredRegionNeverAsksInstanceMetadata) {
  env.variables.erase("AWS_EC2_METADATA_DISABLED");
  env.variables["AWS_REGION"] = "eu-west-3";
  EXPECT_EQ(region(), "eu-west-3");
  EXPECT_TRUE(network->sent().empty());
}

TEST_F(ClientConfigTest, RegionIsTheDefaultWhenInstanceMetadataDoesNotAnswer) {
  env.variables.erase("AWS_EC2_METADATA_DISABLED");
  network->fail(TransportErrorKind::connect);
  EXPECT_EQ(region(), "us-east-1");
}

TEST_F(ClientConfigTest, CredentialProblemsAreReported) {
  options.profile = "missing";
  auto config = resolve();
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().find("'missing' not found"), std::string::npos) << config.error();
}

}  // namespace
}  // namespace wc::aws
