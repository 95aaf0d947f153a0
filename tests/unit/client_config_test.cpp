#include "aws/client_config.h"

#include <gtest/gtest.h>

#include "aws_test_env.h"

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
  }

  util::Expected<ServiceConfig, std::string> resolve(const std::string& service = "s3") {
    return resolve_service_config(service, options, env.lookup());
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
  EXPECT_EQ(config->credentials.access_key_id, "AKIDWORK");
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
  EXPECT_EQ(config->credentials.access_key_id, "AKIDENV");
}

TEST_F(ClientConfigTest, TrailingSlashesAreStripped) {
  options.endpoint_url = "http://127.0.0.1:5000//";
  EXPECT_EQ(endpoint(), "http://127.0.0.1:5000");
}

TEST_F(ClientConfigTest, EndpointWithoutHttpSchemeIsAnErrorNamingValueAndSource) {
  env.variables["AWS_ENDPOINT_URL"] = "localhost:4566";
  EXPECT_EQ(endpoint(),
            "error: invalid endpoint URL 'localhost:4566' (from AWS_ENDPOINT_URL): it must start "
            "with http:// or https://");
  env.variables["AWS_ENDPOINT_URL"] = "ftp://localhost";
  EXPECT_NE(endpoint().find("'ftp://localhost'"), std::string::npos);
}

TEST_F(ClientConfigTest, EndpointWithPathOrWithoutHostIsRefused) {
  options.endpoint_url = "http://localhost:4566/prefix";
  EXPECT_NE(endpoint().find("without a path"), std::string::npos) << endpoint();
  options.endpoint_url = "https://";
  EXPECT_NE(endpoint().find("no host"), std::string::npos) << endpoint();
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

TEST_F(ClientConfigTest, CredentialProblemsAreReported) {
  options.profile = "missing";
  auto config = resolve();
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().find("'missing' not found"), std::string::npos) << config.error();
}

}  // namespace
}  // namespace wc::aws
